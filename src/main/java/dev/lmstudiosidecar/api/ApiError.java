package dev.lmstudiosidecar.api;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.HashMap;
import java.util.Map;

/**
 * An error answered to the client, always as the OpenAI error object
 * {@code {"error":{"message","type","param","code"}}}. The factories name every case the
 * sidecar answers, so status, type and code stay consistent across the code base.
 */
public record ApiError(int status, String type, String code, String param, String message, Map<String, String> headers) {

    public static final String INVALID_REQUEST = "invalid_request_error";
    public static final String SERVER_ERROR = "server_error";
    public static final String RATE_LIMIT = "rate_limit_error";
    /** The code of a failure inside the sidecar itself. */
    public static final String INTERNAL_ERROR = "internal_error";

    public ApiError {
        headers = Map.copyOf(headers);
    }

    public static ApiError invalidRequest(String param, String message) {
        return new ApiError(400, INVALID_REQUEST, "invalid_value", param, message, Map.of());
    }

    public static ApiError invalidJson(String detail) {
        return new ApiError(400, INVALID_REQUEST, "invalid_json", null,
                "We could not parse the JSON body of your request: " + detail
                        + ". Send a JSON object, e.g. {\"model\":\"...\",\"messages\":[...]}.", Map.of());
    }

    public static ApiError bodyTooLarge(long limitBytes) {
        return new ApiError(413, INVALID_REQUEST, "request_too_large", null,
                "The request body is larger than the sidecar accepts (" + limitBytes
                        + " bytes). Send a smaller request or raise sidecar.max-request-body.", Map.of());
    }

    public static ApiError bodyTimedOut(long timeoutMillis) {
        return new ApiError(408, INVALID_REQUEST, "request_timeout", null,
                "The request body did not arrive whole within " + timeoutMillis + " ms (sidecar.request-body-timeout).", Map.of());
    }

    public static ApiError modelNotFound(String model, String detail) {
        String name = model == null ? "the requested model" : "The model '" + model + "'";
        return new ApiError(404, INVALID_REQUEST, "model_not_found", "model",
                name + " does not exist on LM Studio (" + detail + "). List the models with GET /v1/models.", Map.of());
    }

    public static ApiError modelUnavailable(String message) {
        return new ApiError(503, SERVER_ERROR, "model_unavailable", "model", message, Map.of());
    }

    /** No backend could be reached at all: the same code as an unavailable model, no {@code param}. */
    public static ApiError backendUnreachable(String message) {
        return new ApiError(503, SERVER_ERROR, "model_unavailable", null, message, Map.of());
    }

    public static ApiError unknownEndpoint(String method, String path) {
        return new ApiError(404, INVALID_REQUEST, "unknown_endpoint", null,
                "LM Studio does not serve " + method + " " + path + ".", Map.of());
    }

    public static ApiError methodNotAllowed(String method) {
        return new ApiError(405, INVALID_REQUEST, "method_not_allowed", null,
                "The sidecar does not forward " + method + " requests.", Map.of());
    }

    public static ApiError noSuchRoute(String path) {
        return new ApiError(404, INVALID_REQUEST, "unknown_endpoint", null,
                "The sidecar serves the OpenAI API under /v1 (e.g. POST /v1/chat/completions) and its admin API under /admin"
                        + " (e.g. GET /admin/models); " + path + " is not part of either.", Map.of());
    }

    /** Health and metrics live on the management interface, which kubelet and Prometheus reach; not on the API port. */
    public static ApiError onManagementPort(String path, int managementPort) {
        return new ApiError(404, INVALID_REQUEST, "unknown_endpoint", null,
                path + " is served on the management port " + managementPort + " (quarkus.management.port), not on the API port:"
                        + " e.g. http://<pod-ip>:" + managementPort + "/q/health/ready or /q/metrics.", Map.of());
    }

    public static ApiError upstream(int status, String type, String code, String param, String message) {
        return new ApiError(status, type, code, param, message, Map.of());
    }

    public static ApiError badUpstream(String message) {
        return new ApiError(502, SERVER_ERROR, "bad_upstream_response", null, message, Map.of());
    }

    public static ApiError upstreamTimeout(String message) {
        return new ApiError(504, SERVER_ERROR, "upstream_timeout", null, message, Map.of());
    }

    public static ApiError queueFull(long retryAfterSeconds, String message) {
        return new ApiError(429, RATE_LIMIT, "rate_limit_exceeded", null, message,
                Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    /** The sidecar is stopping: no new request, or the grace period of one in flight is over. */
    public static ApiError shuttingDown(String message) {
        return new ApiError(503, SERVER_ERROR, "sidecar_shutting_down", null, message, Map.of());
    }

    public static ApiError internal(String message) {
        return new ApiError(500, SERVER_ERROR, INTERNAL_ERROR, null, message, Map.of());
    }

    /** The OpenAI error object; {@code param} and {@code code} are JSON null when absent. */
    public String toJson() {
        return "{\"error\":{\"message\":" + quote(message)
                + ",\"type\":" + quote(type)
                + ",\"param\":" + quote(param)
                + ",\"code\":" + quote(code) + "}}";
    }

    private static String quote(String value) {
        if (value == null) {
            return "null";
        }
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(value)) + "\"";
    }

    /** The same error with one more response header. */
    public ApiError withHeader(String name, String value) {
        Map<String, String> more = new HashMap<>(headers);
        more.put(name, value);
        return new ApiError(status, type, code, param, message, more);
    }

    public ApiException asException() {
        return new ApiException(this);
    }
}
