package dev.lmstudiosidecar.bench.soak;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Recorder;

/** What one stretch of the soak saw: requests by outcome, and their latencies. Written by many threads. */
final class SoakWindow {

    final long startedMillis;
    final String faults;
    private final Recorder latency = new Recorder(3_600_000_000_000L, 2);
    private final Map<String, Long> outcomes = new TreeMap<>();

    SoakWindow(long startedMillis, String faults) {
        this.startedMillis = startedMillis;
        this.faults = faults;
    }

    void record(SoakTraffic.Kind kind, String outcome, long nanos) {
        latency.recordValue(Math.max(1, Math.min(nanos, 3_600_000_000_000L)));
        synchronized (outcomes) {
            outcomes.merge(outcome.equals("ok") ? "ok" : kind.name().toLowerCase(java.util.Locale.ROOT) + " " + outcome, 1L, Long::sum);
        }
    }

    Map<String, Long> outcomes() {
        synchronized (outcomes) {
            return new TreeMap<>(outcomes);
        }
    }

    org.HdrHistogram.Histogram latencies() {
        return latency.getIntervalHistogram();
    }
}
