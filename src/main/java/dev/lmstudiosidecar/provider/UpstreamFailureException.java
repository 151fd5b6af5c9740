package dev.lmstudiosidecar.provider;

/**
 * Carries an {@link UpstreamFailure} through a failed future. It is an expected outcome, not a
 * bug, so it records no stack trace.
 */
public final class UpstreamFailureException extends RuntimeException {

    private final transient UpstreamFailure failure;

    public UpstreamFailureException(UpstreamFailure failure) {
        super(failure.message(), null, false, false);
        this.failure = failure;
    }

    public UpstreamFailure failure() {
        return failure;
    }

    /** The failure {@code error} carries, or one made from it as a transport error of {@code backend}. */
    public static UpstreamFailure of(Backend backend, Throwable error) {
        return error instanceof UpstreamFailureException known ? known.failure() : UpstreamFailure.fromTransport(backend, error);
    }
}
