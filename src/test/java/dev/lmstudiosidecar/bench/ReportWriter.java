package dev.lmstudiosidecar.bench;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/** Renders the comparisons as Markdown: one table per scenario, then the targets checked. */
final class ReportWriter {

    private static final double[] PERCENTILES = {50, 90, 99, 100};
    private static final long TARGET_RSS_KB = 256 * 1024;

    private final StringBuilder out = new StringBuilder();

    /** The scenarios the targets are checked on; null for one this run did not measure. */
    record Targets(Comparison chatAt500, Comparison streaming, Comparison concurrent, Comparison lowRate20, Comparison cold) {
    }

    /** @param scaling the {@code twohost} scenario, or null when this run did not measure it */
    String render(String header, List<Comparison> comparisons, HostScaling scaling, Targets targets) {
        out.append(header).append('\n');
        for (Comparison c : comparisons) {
            out.append("\n## ").append(c.scenario()).append("\n\n").append(c.load()).append("\n\n");
            if (c.direct().timeToFirstToken.getTotalCount() > 0) {
                latencyTable(c, "time to first token", r -> r.timeToFirstToken);
                latencyTable(c, "gap between chunks", r -> r.interChunkGap);
            }
            latencyTable(c, "total", r -> r.total);
            countsTable(c);
        }
        if (scaling != null) {
            hostScaling(scaling);
        }
        targets(targets);
        return out.toString();
    }

    private void latencyTable(Comparison c, String what, Function<PhaseResult, Histogram> pick) {
        Histogram direct = pick.apply(c.direct());
        Histogram sidecar = pick.apply(c.sidecar());
        out.append("| ").append(what).append(" (ms) | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|\n");
        row("direct", direct);
        row("sidecar", sidecar);
        out.append("| added |");
        for (double p : PERCENTILES) {
            out.append(' ').append(ms(Comparison.addedMillis(direct, sidecar, p))).append(" |");
        }
        out.append("\n\n");
    }

    private void row(String name, Histogram h) {
        out.append("| ").append(name).append(" |");
        for (double p : PERCENTILES) {
            out.append(' ').append(ms(h.getValueAtPercentile(p) / 1e6)).append(" |");
        }
        out.append('\n');
    }

    private void countsTable(Comparison c) {
        out.append("| target | sent | ok | errors | throughput (req/s) | SSE events | reads |\n|---|---:|---:|---:|---:|---:|---:|\n");
        counts("direct", c.direct());
        counts("sidecar", c.sidecar());
        out.append(String.format(Locale.ROOT, "%nSidecar while serving its share: %.2f CPU s, peak RSS %.1f MiB.%n",
                c.sidecarCpuSeconds(), c.sidecarPeakRssKb() / 1024.0));
        if (c.direct().firstError != null || c.sidecar().firstError != null) {
            out.append("First errors: direct `").append(c.direct().firstError).append("`, sidecar `")
                    .append(c.sidecar().firstError).append("`.\n");
        }
    }

    /** One host and two side by side; no "added" row: both columns go through a sidecar. */
    private void hostScaling(HostScaling s) {
        PhaseResult one = s.oneHost();
        PhaseResult two = s.twoHosts();
        out.append("\n## ").append(s.scenario()).append("\n\n").append(s.load()).append("\n\n")
                .append("| | one host | two hosts |\n|---|---:|---:|\n")
                .append(String.format(Locale.ROOT, "| requests ok / errors | %d / %d | %d / %d |%n", one.succeeded, one.failed, two.succeeded, two.failed))
                .append(String.format(Locale.ROOT, "| throughput (req/s) | %.1f | %.1f |%n", one.throughputPerSecond(), two.throughputPerSecond()))
                .append(String.format(Locale.ROOT, "| latency p50 (ms) | %s | %s |%n", ms(one.total.getValueAtPercentile(50) / 1e6),
                        ms(two.total.getValueAtPercentile(50) / 1e6)))
                .append(String.format(Locale.ROOT, "| latency p99 (ms) | %s | %s |%n", ms(one.total.getValueAtPercentile(99) / 1e6),
                        ms(two.total.getValueAtPercentile(99) / 1e6)))
                .append(String.format(Locale.ROOT, "| answered by host a / b (emulators' count) | %d / - | %d / %d |%n",
                        s.oneHostOnA(), s.twoHostsOnA(), s.twoHostsOnB()))
                .append(String.format(Locale.ROOT, "| sidecar CPU while serving (s) | %.2f | %.2f |%n", s.oneHostCpuSeconds(), s.twoHostsCpuSeconds()))
                .append(String.format(Locale.ROOT, "%nTwo hosts served %.2f× the requests per second of one (ideal 2.0: every slot of both "
                        + "hosts busy all the time; less means requests waited on one host while the other had a slot free, or the "
                        + "sidecar or the machine held them up). Most generations at once: host a %d, host b %d (%d slots each).%n",
                        s.ratio(), s.mostAtOnceA(), s.mostAtOnceB(), s.slots()));
        String oneError = one.firstError;
        String twoError = two.firstError;
        if (oneError != null || twoError != null) {
            out.append("First errors: one host `").append(oneError).append("`, two hosts `").append(twoError).append("`.\n");
        }
    }

    private void counts(String name, PhaseResult r) {
        out.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %.1f | %d | %d |%n",
                name, r.sent, r.succeeded, r.failed, r.throughputPerSecond(), r.events, r.arrivals));
    }

    private void targets(Targets targets) {
        out.append("\n## Targets\n\n| target | measured | verdict |\n|---|---|---|\n");
        Comparison cold = targets.cold();
        if (cold != null) {
            double p99 = Comparison.addedMillis(cold.direct().total, cold.sidecar().total, 99);
            verdict("first requests after start: added p99 <= 5 ms", ms(p99) + " ms", p99 <= 5.0);
        }
        Comparison low = targets.lowRate20();
        if (low != null) {
            addedAtMost(low, "20 req/s on one connection");
        }
        Comparison chat = targets.chatAt500();
        if (chat != null) {
            addedAtMost(chat, "non-streaming at 500 req/s");
            double cpuMicros = chat.sidecar().sent == 0 ? 0 : chat.sidecarCpuSeconds() * 1e6 / chat.sidecar().sent;
            verdict("sidecar CPU per request at 500 req/s <= 100 µs (JIT and GC included)",
                    String.format(Locale.ROOT, "%.0f µs", cpuMicros), cpuMicros <= 100);
        } else {
            out.append("| added latency, non-streaming at 500 req/s | not measured in this run (--chat-rates) | - |\n");
        }
        Comparison streaming = targets.streaming();
        Comparison concurrent = targets.concurrent();
        if (streaming != null) {
            double ttft50 = Comparison.addedMillis(streaming.direct().timeToFirstToken, streaming.sidecar().timeToFirstToken, 50);
            verdict("streaming: added time to first token p50 <= 0.3 ms", ms(ttft50) + " ms", ttft50 <= 0.3);
            double ttft = Comparison.addedMillis(streaming.direct().timeToFirstToken, streaming.sidecar().timeToFirstToken, 99);
            verdict("streaming: added time to first token p99 <= 1 ms", ms(ttft) + " ms", ttft <= 1.0);
            long directEvents = streaming.direct().events;
            long sidecarEvents = streaming.sidecar().events;
            double directReads = perStream(streaming.direct().arrivals, streaming.direct());
            double sidecarReads = perStream(streaming.sidecar().arrivals, streaming.sidecar());
            verdict("streaming: no chunk coalescing (SSE events and reads per stream as direct)",
                    String.format(Locale.ROOT, "events %d vs %d; reads per stream %.2f vs %.2f",
                            sidecarEvents, directEvents, sidecarReads, directReads),
                    sidecarEvents == directEvents && sidecarReads >= directReads * 0.98);
        }
        if (concurrent != null) {
            verdict(concurrent.sidecar().sent + " concurrent streams with no error",
                    concurrent.sidecar().failed + " errors", concurrent.sidecar().failed == 0 && concurrent.sidecar().succeeded == concurrent.sidecar().sent);
            verdict("sidecar RSS <= 256 MiB (JVM mode) under that load",
                    String.format(Locale.ROOT, "%.1f MiB", concurrent.sidecarPeakRssKb() / 1024.0), concurrent.sidecarPeakRssKb() <= TARGET_RSS_KB);
        }
    }

    /** Added p50 <= 0.3 ms and p99 <= 1 ms. */
    private void addedAtMost(Comparison c, String where) {
        double p50 = Comparison.addedMillis(c.direct().total, c.sidecar().total, 50);
        double p99 = Comparison.addedMillis(c.direct().total, c.sidecar().total, 99);
        verdict("added latency, " + where + ", p50 <= 0.3 ms", ms(p50) + " ms", p50 <= 0.3);
        verdict("added latency, " + where + ", p99 <= 1 ms", ms(p99) + " ms", p99 <= 1.0);
    }

    private static double perStream(long value, PhaseResult r) {
        return r.succeeded == 0 ? 0 : (double) value / r.succeeded;
    }

    private void verdict(String target, String measured, boolean met) {
        out.append("| ").append(target).append(" | ").append(measured).append(" | ").append(met ? "met" : "MISSED").append(" |\n");
    }

    private static String ms(double millis) {
        return String.format(Locale.ROOT, "%.3f", millis);
    }
}
