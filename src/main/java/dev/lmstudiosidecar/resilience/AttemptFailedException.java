package dev.lmstudiosidecar.resilience;

import dev.lmstudiosidecar.provider.UpstreamFailure;
import java.time.Duration;
import java.util.Optional;

/**
 * One attempt at a candidate failed before any byte of its answer reached the client: what the
 * guard's retry and circuit breaker read ({@link FailurePolicy}). An expected outcome, so no stack trace.
 */
public final class AttemptFailedException extends RuntimeException {

    private final transient UpstreamFailure failure;
    private final transient Optional<Duration> retryAfter;
    private final boolean retryHere;

    /** @param retryAfter the upstream's Retry-After, if it sent one */
    public AttemptFailedException(UpstreamFailure failure, Optional<Duration> retryAfter) {
        this(failure, retryAfter, true);
    }

    /**
     * @param retryHere false when the request goes elsewhere rather than be retried on this backend (another host has the
     *                  model), or its model's retry budget is spent
     */
    public AttemptFailedException(UpstreamFailure failure, Optional<Duration> retryAfter, boolean retryHere) {
        super(failure.message(), null, false, false);
        this.failure = failure;
        this.retryAfter = retryAfter;
        this.retryHere = retryHere;
    }

    public boolean retryHere() {
        return retryHere;
    }

    public UpstreamFailure failure() {
        return failure;
    }

    public Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
