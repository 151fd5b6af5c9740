package dev.lmstudiosidecar.metrics;

import java.util.Arrays;

/**
 * Counts of durations in buckets a quarter of an octave wide (bounds at 4, 5, 6 and 7 times a
 * power of two microseconds: each at most 25% above the last), from a microsecond to 70 minutes
 * in 128 ints: small enough to keep one per model and time slot, fine enough for a p95 within a
 * few percent once interpolated. Not thread-safe.
 */
final class LogHistogram {

    static final int BUCKETS = 128;
    private static final int SUB_BUCKETS = 4;
    private static final long MAX_MICROS = (1L << 32) - 1;

    private final int[] counts = new int[BUCKETS];
    private long total;

    void record(long nanos) {
        counts[index(Math.min(MAX_MICROS, Math.max(0, nanos / 1000)))]++;
        total++;
    }

    void clear() {
        Arrays.fill(counts, 0);
        total = 0;
    }

    void addTo(LogHistogram sum) {
        for (int i = 0; i < BUCKETS; i++) {
            sum.counts[i] += counts[i];
        }
        sum.total += total;
    }

    long total() {
        return total;
    }

    /**
     * The value at {@code quantile} (0..1) in milliseconds, interpolated within its bucket as if
     * the values there were spread evenly; NaN when empty.
     */
    double quantileMillis(double quantile) {
        if (total == 0) {
            return Double.NaN;
        }
        double rank = Math.max(1, Math.ceil(quantile * total));
        long below = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (counts[i] == 0) {
                continue;
            }
            if (below + counts[i] >= rank) {
                double within = (rank - below) / counts[i];
                double low = lowerBoundMicros(i);
                return (low + within * (lowerBoundMicros(i + 1) - low)) / 1000.0;
            }
            below += counts[i];
        }
        return lowerBoundMicros(BUCKETS) / 1000.0; // not reached: the counts add up to total
    }

    /** Values below 4 µs have a bucket each; above, the top three bits of the value pick the bucket. */
    static int index(long micros) {
        if (micros < SUB_BUCKETS) {
            return (int) micros;
        }
        int octave = 63 - Long.numberOfLeadingZeros(micros); // >= 2
        int top = (int) (micros >>> (octave - 2)); // 4..7
        return SUB_BUCKETS + (octave - 2) * SUB_BUCKETS + (top - SUB_BUCKETS);
    }

    static double lowerBoundMicros(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int octave = (index - SUB_BUCKETS) / SUB_BUCKETS + 2;
        int top = (index - SUB_BUCKETS) % SUB_BUCKETS + SUB_BUCKETS;
        return (double) ((long) top << (octave - 2));
    }
}
