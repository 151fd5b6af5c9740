package dev.lmstudiosidecar.metrics;

import java.util.Set;

/**
 * Bounds the {@code error_type} tag. The sidecar's own error codes are a closed set and say most;
 * a code that came from upstream can be anything a server makes up, so it is replaced by the HTTP
 * status it came with. A success has the empty value: Prometheus needs every series of a metric to
 * carry the same label names, and it treats an empty label as absent, so {@code error_type=""}
 * selects the successes and {@code error_type!=""} the errors.
 */
public final class ErrorTypes {

    public static final String NONE = "";
    /** The client left before the answer was complete: nobody saw the answer fail, but nobody got it either. */
    public static final String CANCELLED = "cancelled";

    private static final Set<String> SIDECAR_CODES = Set.of(
            "invalid_json", "invalid_value", "request_too_large", "request_timeout", "model_not_found", "unknown_endpoint",
            "method_not_allowed", "model_unavailable", "rate_limit_exceeded", "bad_upstream_response", "upstream_timeout",
            "internal_error");

    private ErrorTypes() {
    }

    /** @param code the error object's {@code code}, or null */
    public static String of(int status, String code) {
        return code != null && SIDECAR_CODES.contains(code) ? code : Integer.toString(status);
    }
}
