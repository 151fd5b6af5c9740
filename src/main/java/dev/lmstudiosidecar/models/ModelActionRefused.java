package dev.lmstudiosidecar.models;

/**
 * A load or unload the sidecar will not or cannot do, and why; the admin API turns the reason
 * into a status. An expected outcome, so no stack trace.
 */
public final class ModelActionRefused extends RuntimeException {

    public enum Reason {
        /** The server does not list the model. */
        UNKNOWN_MODEL,
        /** The server has no load/unload API (LM Studio before 0.4, or not LM Studio). */
        NO_LOAD_API,
        /** Requests are in flight on the model. */
        IN_USE,
        /** The model is in {@code lmstudio.keep-models-warm}: the sidecar would load it again. */
        KEPT_WARM,
        /** Nothing to unload. */
        NOT_LOADED,
        /** No LM Studio host of that name. */
        UNKNOWN_HOST,
        /** No LM Studio host at all (DNS found none yet). */
        NO_HOST
    }

    private final Reason reason;

    public ModelActionRefused(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
