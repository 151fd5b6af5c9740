package dev.lmstudiosidecar.bench;

import org.HdrHistogram.Histogram;

/**
 * What one target did in one scenario: latencies in nanoseconds, measured from each request's
 * intended start (so a stalled sender cannot hide queueing: no coordinated omission), and counts.
 * Only the load generator's single event loop writes to it.
 */
final class PhaseResult {

    private static final long MAX_TRACKABLE_NANOS = 300_000_000_000L;

    final Histogram total = histogram();
    final Histogram timeToFirstToken = histogram();
    final Histogram interChunkGap = histogram();
    long sent;
    long succeeded;
    long failed;
    long events;
    long arrivals;
    long wallNanos;
    String firstError;

    private static Histogram histogram() {
        return new Histogram(MAX_TRACKABLE_NANOS, 3);
    }

    void fail(String why) {
        failed++;
        if (firstError == null) {
            firstError = why;
        }
    }

    void add(PhaseResult other) {
        total.add(other.total);
        timeToFirstToken.add(other.timeToFirstToken);
        interChunkGap.add(other.interChunkGap);
        sent += other.sent;
        succeeded += other.succeeded;
        failed += other.failed;
        events += other.events;
        arrivals += other.arrivals;
        wallNanos += other.wallNanos;
        if (firstError == null) {
            firstError = other.firstError;
        }
    }

    double throughputPerSecond() {
        return wallNanos == 0 ? 0 : succeeded * 1e9 / wallNanos;
    }
}
