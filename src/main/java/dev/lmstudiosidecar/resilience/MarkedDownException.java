package dev.lmstudiosidecar.resilience;

/**
 * A retry found its backend marked down by a health check since the attempt before
 * ({@link BackendBreakers#openNow}): no call goes out. It is not retried, and it counts against the
 * backend, which a check found with nothing listening. An expected outcome, so no stack trace.
 */
public final class MarkedDownException extends RuntimeException {

    public MarkedDownException() {
        super("a health check found nothing listening", null, false, false);
    }
}
