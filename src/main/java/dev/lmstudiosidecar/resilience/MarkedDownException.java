package dev.lmstudiosidecar.resilience;

/**
 * An attempt found its backend marked down by a health check ({@link BackendBreakers#openNow}), be it
 * a request's first or a retry under way when the check ran: no call goes out. It is not retried, and
 * it counts against the backend, which a check found with nothing listening. An expected outcome, so
 * no stack trace.
 */
public final class MarkedDownException extends RuntimeException {

    public MarkedDownException() {
        super("a health check found nothing listening", null, false, false);
    }
}
