package dev.lmstudiosidecar.testsupport.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.ErrorStyle;
import io.vertx.core.http.HttpServerResponse;

/**
 * LM Studio's error bodies differ by version: newer ones send the OpenAI object (and 404 for a missing
 * model), older ones a bare string (and 400). The sidecar must normalise both, so the emulator speaks both.
 */
final class ErrorBodies {

    private ErrorBodies() {
    }

    static void modelNotFound(HttpServerResponse response, ErrorStyle style, String model) {
        send(response, style, 404, 400,
                style == ErrorStyle.OBJECT
                        ? "Model \"" + model + "\" not found. Please check the model key and try again."
                        : "Model with key '" + model + "' not found.",
                "invalid_request_error", "model", "model_not_found");
    }

    static void modelNotLoaded(HttpServerResponse response, ErrorStyle style, String model) {
        String message = model == null
                ? "No models loaded. Please load a model in the developer page or use the 'lms load' command."
                : "Model \"" + model + "\" is not loaded and JIT loading is disabled. Please load it first.";
        send(response, style, 404, 400, message, "invalid_request_error", "model", "model_not_found");
    }

    static void instanceNotFound(HttpServerResponse response, ErrorStyle style, String instanceId) {
        send(response, style, 404, 400, "No loaded model instance with identifier '" + instanceId + "'.",
                "invalid_request_error", "instance_id", "model_not_found");
    }

    static void badRequest(HttpServerResponse response, ErrorStyle style, String message, String param) {
        send(response, style, 400, 400, message, "invalid_request_error", param, null);
    }

    /** A 401 echoes the credentials it refused, as cloud providers' "Incorrect API key provided: ..." do. */
    static void emulatedFailure(HttpServerResponse response, ErrorStyle style, int status, String credentials) {
        String type = status >= 500 ? "server_error" : "invalid_request_error";
        String message = status == 401
                ? "Incorrect API key provided: " + (credentials == null ? "(none)" : credentials.replaceFirst("^Bearer ", ""))
                : "Emulated failure (HTTP " + status + ")";
        send(response, style, status, status, message, type, null, "emulated_failure");
    }

    /** The real LM Studio quirk: an unknown route is a 200 whose body is an error. */
    static void unexpectedEndpoint(HttpServerResponse response, String method, String path) {
        ObjectNode body = Json.object().put("error", "Unexpected endpoint or method. (" + method + " " + path + ")");
        Json.send(response, 200, body);
    }

    /** How llama.cpp / vLLM answer routes they do not have. */
    static void genericNotFound(HttpServerResponse response, String method, String path) {
        ObjectNode body = Json.object();
        body.putObject("error")
                .put("message", "Not found: " + method + " " + path)
                .put("type", "invalid_request_error");
        Json.send(response, 404, body);
    }

    /** llama-server's answer to a route it does not have. */
    static void llamaCppNotFound(HttpServerResponse response) {
        ObjectNode body = Json.object();
        body.putObject("error").put("code", 404).put("message", "File Not Found").put("type", "not_found_error");
        Json.send(response, 404, body);
    }

    private static void send(HttpServerResponse response, ErrorStyle style, int objectStatus, int stringStatus,
                             String message, String type, String param, String code) {
        ObjectNode body = Json.object();
        if (style == ErrorStyle.LLAMA_CPP) {
            body.putObject("error").put("code", objectStatus).put("message", message).put("type", type);
            Json.send(response, objectStatus, body);
        } else if (style == ErrorStyle.OBJECT) {
            body.putObject("error")
                    .put("message", message)
                    .put("type", type)
                    .put("param", param)
                    .put("code", code);
            Json.send(response, objectStatus, body);
        } else {
            body.put("error", message);
            Json.send(response, stringStatus, body);
        }
    }
}
