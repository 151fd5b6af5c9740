package dev.lmstudiosidecar.metrics;

import java.util.Locale;

/** How a request ended, as {@code sidecar_requests_total{outcome}} counts it. */
public enum Outcome {
    /** A 2xx answer delivered whole. */
    SUCCESS,
    /** A 4xx: the request was refused (invalid, unknown model, rate limited). */
    CLIENT_ERROR,
    /** A 5xx, or a stream cut after it had started. */
    SERVER_ERROR,
    /** The client went away before the answer was complete. */
    CANCELLED;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    public String wireName() {
        return wireName;
    }

    /** The outcome of an answer with this HTTP status, delivered whole. */
    public static Outcome ofStatus(int status) {
        return status >= 500 ? SERVER_ERROR : status >= 400 ? CLIENT_ERROR : SUCCESS;
    }
}
