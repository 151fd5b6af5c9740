package dev.lmstudiosidecar.resilience;

import java.util.List;

/**
 * What is known of the failures behind a backend's circuit breaker, for the words of an error, a log
 * line and the health check's degraded verdict.
 *
 * @param failures         failed calls in the window
 * @param calls            calls in the window
 * @param lastFailures     why the latest calls failed, newest first (at most {@value RecentCalls#REMEMBERED_FAILURES})
 * @param failingForMillis how long every call has failed (since the first failure after the last success); 0 if one succeeded last
 * @param retryAfterMillis while the breaker is open, the milliseconds until it lets a call through again; else 0
 */
public record BreakerDiagnosis(int failures, int calls, List<String> lastFailures, long failingForMillis, long retryAfterMillis) {

    /** E.g. "every call has failed for 42 s (the last: Connection refused); a call goes through again in 18 s". */
    public String summary() {
        StringBuilder text = new StringBuilder();
        if (failingForMillis > 0) {
            text.append("every call has failed for ").append(seconds(failingForMillis)).append(" s");
        } else {
            text.append(failures).append(" of the last ").append(calls).append(" calls failed");
        }
        if (!lastFailures.isEmpty()) {
            text.append(" (the last: ").append(String.join("; ", lastFailures)).append(')');
        }
        if (retryAfterMillis > 0) {
            text.append("; a call goes through again in ").append(seconds(retryAfterMillis)).append(" s");
        }
        return text.toString();
    }

    private static long seconds(long millis) {
        return Math.max(1, (millis + 999) / 1000);
    }
}
