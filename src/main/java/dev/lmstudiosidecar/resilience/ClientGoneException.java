package dev.lmstudiosidecar.resilience;

/**
 * The client went away during an attempt: the attempt ends without telling anything of the backend,
 * so it is neither retried nor counted against the backend. An expected outcome, so no stack trace.
 */
public final class ClientGoneException extends RuntimeException {

    public ClientGoneException() {
        super("the client went away", null, false, false);
    }
}
