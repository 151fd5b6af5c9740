package dev.lmstudiosidecar.bench;

/**
 * One scenario measured on both targets in the same run, with what the sidecar process used
 * while it served its share.
 */
record Comparison(String scenario, String load, PhaseResult direct, PhaseResult sidecar,
                  double sidecarCpuSeconds, long sidecarPeakRssKb) {

    /** Sidecar minus direct at a percentile, in milliseconds. */
    static double addedMillis(org.HdrHistogram.Histogram direct, org.HdrHistogram.Histogram sidecar, double percentile) {
        return (sidecar.getValueAtPercentile(percentile) - direct.getValueAtPercentile(percentile)) / 1e6;
    }
}
