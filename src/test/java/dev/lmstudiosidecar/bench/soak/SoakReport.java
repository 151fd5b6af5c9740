package dev.lmstudiosidecar.bench.soak;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/** The soak's report: one row per window, then what grew after the warm-up (the first two windows). */
final class SoakReport {

    private static final int WARM_UP_WINDOWS = 2;

    /** One window's traffic and the sample taken at its end. */
    record Row(int index, SoakWindow window, SoakSample sample, Map<String, Long> outcomes, Histogram latency) {
        Row(int index, SoakWindow window, SoakSample sample) {
            this(index, window, sample, window.outcomes(), window.latencies());
        }

        long requests() {
            return outcomes.values().stream().mapToLong(Long::longValue).sum();
        }

        String errors() {
            String errors = outcomes.entrySet().stream().filter(e -> !e.getKey().equals("ok"))
                    .map(e -> e.getKey() + " ×" + e.getValue()).collect(Collectors.joining(", "));
            return errors.isEmpty() ? "none" : errors;
        }

        String line() {
            return String.format(Locale.ROOT, "| %d | %s | %d | %d | %s | %.1f | %.1f | %.1f | %.1f | %d | %d |", index, window.faults, requests(),
                    outcomes.getOrDefault("ok", 0L), errors(), latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
                    sample.rssMiB(), sample.heapAfterGcMiB(), sample.openFiles(), sample.threads());
        }
    }

    private SoakReport() {
    }

    static String render(int minutes, int rate, int windowSeconds, List<Row> rows) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "# Soak: %d min at %d req/s, windows of %d s%n%n", minutes, rate, windowSeconds));
        out.append("Mix per 10 requests: 4 plain chats (fresh prompts), 2 streamed, 1 embedding, 2 cache hits (20 prompts at"
                + " temperature 0), 1 `auto`. Faults in every other window (none in the others). Latency in ms from the client;"
                + " memory sampled at the end of each window, the heap after `jcmd GC.run`.\n\n");
        out.append("| window | faults | requests | ok | errors by kind | p50 ms | p99 ms | RSS MiB | heap after GC MiB | open files | threads |\n");
        out.append("|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|\n");
        rows.forEach(row -> out.append(row.line()).append('\n'));
        List<Row> steady = rows.size() > WARM_UP_WINDOWS ? rows.subList(WARM_UP_WINDOWS, rows.size()) : rows;
        Map<String, Long> errors = new TreeMap<>();
        rows.forEach(row -> row.outcomes().forEach((outcome, n) -> errors.merge(outcome, n, Long::sum)));
        out.append("\n## After the warm-up (window ").append(Math.min(WARM_UP_WINDOWS + 1, rows.size())).append(" on)\n\n");
        out.append(range("RSS MiB", steady.stream().mapToDouble(r -> r.sample().rssMiB()).toArray()));
        out.append(range("heap after GC MiB", steady.stream().mapToDouble(r -> r.sample().heapAfterGcMiB()).toArray()));
        out.append(range("open files", steady.stream().mapToDouble(r -> r.sample().openFiles()).toArray()));
        out.append(range("threads", steady.stream().mapToDouble(r -> r.sample().threads()).toArray()));
        out.append("\nAll outcomes: ").append(errors).append('\n');
        return out.toString();
    }

    /** First, last, least and most: growth shows as last well above first. */
    private static String range(String what, double[] values) {
        if (values.length == 0) {
            return "";
        }
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (double value : values) {
            min = Math.min(min, value);
            max = Math.max(max, value);
        }
        return String.format(Locale.ROOT, "- %s: first %.1f, last %.1f, least %.1f, most %.1f%n", what, values[0], values[values.length - 1], min, max);
    }
}
