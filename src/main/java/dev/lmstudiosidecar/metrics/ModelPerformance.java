package dev.lmstudiosidecar.metrics;

/**
 * The seed's {@code PerformanceMetrics} of one model over the recent window. Figures that nothing
 * in the window measured are null rather than 0: no stream means no time to first token, not an
 * instant one.
 *
 * @param requests              requests that ended in the window, whatever their outcome
 * @param errors                those that ended in a server error (5xx, or a stream cut): the model's failures, not
 *                              the client's
 * @param latencyP50Ms          of successful answers, from arrival to the answer's end
 * @param ttftP50Ms             time to first token of successful streams
 * @param outputTokensPerSecond output tokens of successful answers over the time spent producing them (a stream's
 *                              time after its first chunk)
 * @param cacheHitRatio         null until the sidecar has a response cache
 */
public record ModelPerformance(String model, String provider, long requests, long errors, double errorRate,
                               Double latencyP50Ms, Double latencyP95Ms, Double ttftP50Ms, Double ttftP95Ms,
                               Double outputTokensPerSecond, long inputTokens, long outputTokens, Double cacheHitRatio) {
}
