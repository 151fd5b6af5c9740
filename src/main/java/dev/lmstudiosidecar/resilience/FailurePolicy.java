package dev.lmstudiosidecar.resilience;

import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailure.Kind;

/**
 * What a failed attempt means for the three decisions that follow it: whether it says something
 * about the backend's health (the circuit breaker), how the retry policy sees it, and whether
 * another model may stand in.
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

    public static RetryPolicy.FailureKind retryKind(UpstreamFailure failure) {
        return switch (failure.kind()) {
            case MODEL_NOT_FOUND -> RetryPolicy.FailureKind.MODEL_NOT_FOUND;
            case MODEL_NOT_LOADED -> RetryPolicy.FailureKind.MODEL_NOT_LOADED;
            case UNKNOWN_ENDPOINT -> RetryPolicy.FailureKind.CLIENT_ERROR;
            case REJECTED -> failure.upstreamStatus() == 429 ? RetryPolicy.FailureKind.RATE_LIMITED : RetryPolicy.FailureKind.CLIENT_ERROR;
            case SERVER_ERROR -> RetryPolicy.FailureKind.SERVER_ERROR;
            case UNREACHABLE -> RetryPolicy.FailureKind.CONNECT_FAILED;
            case CIRCUIT_OPEN -> RetryPolicy.FailureKind.CIRCUIT_OPEN;
            case TIMEOUT -> RetryPolicy.FailureKind.TIMEOUT;
            case POOL_EXHAUSTED -> RetryPolicy.FailureKind.RATE_LIMITED;
            case CONNECTION_LOST -> RetryPolicy.FailureKind.CONNECTION_LOST;
        };
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
