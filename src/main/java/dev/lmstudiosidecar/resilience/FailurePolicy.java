package dev.lmstudiosidecar.resilience;

import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailure.Kind;
import java.time.Duration;

/**
 * What a failed attempt means for the decisions that follow it: whether it says something about the
 * backend's health (the circuit breaker), whether another attempt may cure it (the retry), and
 * whether another model may stand in (the fallback chain). The guards' predicates are these rules.
 */
public final class FailurePolicy {

    private FailurePolicy() {
    }

    /** Failures of the backend itself; a clear refusal (a 4xx) shows a healthy backend. */
    public static boolean countsAgainstBackend(UpstreamFailure failure) {
        return switch (failure.kind()) {
            case SERVER_ERROR, UNREACHABLE, TIMEOUT, CONNECTION_LOST -> true;
            default -> false;
        };
    }

    /**
     * Failures another attempt may cure. A request the upstream refused as such (a 4xx other than
     * 429, an unknown or unloaded model) fails the same way every time, so retrying it only adds
     * latency; an open breaker stays open longer than any retry delay.
     */
    public static boolean retryable(UpstreamFailure failure) {
        // No default: a new kind does not compile until someone decides whether it retries.
        return switch (failure.kind()) {
            case UNREACHABLE, TIMEOUT, SERVER_ERROR, CONNECTION_LOST, POOL_EXHAUSTED -> true;
            case REJECTED -> rateLimited(failure);
            case UNKNOWN_ENDPOINT, MODEL_NOT_FOUND, MODEL_NOT_LOADED, CIRCUIT_OPEN -> false;
        };
    }

    /**
     * Whether the guard retries this attempt: a retryable failure, unless it is a 429 whose Retry-After
     * asks for longer than the sidecar would ever back off ({@code maxDelay}): failing over now is
     * better than that wait.
     */
    public static boolean retries(Throwable error, Duration maxDelay) {
        if (!(error instanceof AttemptFailedException attempt) || !attempt.retryHere() || !retryable(attempt.failure())) {
            return false;
        }
        return attempt.retryAfter().filter(asked -> rateLimited(attempt.failure()) && asked.compareTo(maxDelay) > 0).isEmpty();
    }

    /** Whether the guard's circuit breaker counts this outcome as a failure of the backend. */
    public static boolean breaksCircuit(Throwable error) {
        return error instanceof MarkedDownException
                || error instanceof AttemptFailedException attempt && countsAgainstBackend(attempt.failure());
    }

    /** A 429, from upstream or from a full connection pool. */
    public static boolean rateLimited(UpstreamFailure failure) {
        return failure.kind() == Kind.POOL_EXHAUSTED || failure.kind() == Kind.REJECTED && failure.upstreamStatus() == 429;
    }

    /** Whether another model may be tried: the model is missing or keeps failing, not the request at fault. */
    public static boolean fallsBack(UpstreamFailure failure) {
        return switch (failure.kind()) {
            case UNKNOWN_ENDPOINT -> false;
            case REJECTED -> failure.upstreamStatus() == 429;
            default -> true;
        };
    }

    /** A failure no other model on the same backend can avoid. */
    public static boolean wholeBackend(UpstreamFailure failure) {
        return failure.kind() == Kind.UNREACHABLE || failure.kind() == Kind.CIRCUIT_OPEN;
    }
}
