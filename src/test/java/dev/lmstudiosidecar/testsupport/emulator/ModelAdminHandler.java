package dev.lmstudiosidecar.testsupport.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.ErrorStyle;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.function.Consumer;

/** {@code POST /api/v1/models/load|unload} and the load mechanics JIT shares with them. */
final class ModelAdminHandler {

    private final Vertx vertx;
    private final Knobs knobs;
    private final ModelCatalog catalog;

    ModelAdminHandler(Vertx vertx, Knobs knobs, ModelCatalog catalog) {
        this.vertx = vertx;
        this.knobs = knobs;
        this.catalog = catalog;
    }

    /**
     * Starts one load and calls {@code loaded} when it finishes. Every call is its own load, even for a
     * model already loading: the real JIT race. The load does not stop if the requester leaves.
     */
    void load(EmulatedModel model, int contextLength, Consumer<ModelInstance> loaded) {
        model.loadStarted();
        long delay = knobs.loadDelayMs;
        if (delay <= 0) {
            loaded.accept(model.addInstance(contextLength));
        } else {
            vertx.setTimer(delay, id -> loaded.accept(model.addInstance(contextLength)));
        }
    }

    void handleLoad(Buffer body, HttpServerResponse response) {
        ErrorStyle style = knobs.errorStyle;
        ObjectNode json = Json.parseObject(body);
        if (json == null) {
            ErrorBodies.badRequest(response, style, "Request body must be a JSON object.", null);
            return;
        }
        String key = json.path("model").asText(null);
        if (key == null || key.isBlank()) {
            ErrorBodies.badRequest(response, style, "'model' is required.", "model");
            return;
        }
        EmulatedModel model = catalog.find(key);
        if (model == null) {
            ErrorBodies.modelNotFound(response, style, key);
            return;
        }
        JsonNode ctx = json.get("context_length");
        if (ctx != null && !ctx.isNull() && (!ctx.canConvertToInt() || !ctx.isIntegralNumber() || ctx.asInt() <= 0)) {
            ErrorBodies.badRequest(response, style, "'context_length' must be a positive integer.", "context_length");
            return;
        }
        int contextLength = ctx == null || ctx.isNull()
                ? model.defaultContextLength()
                : Math.min(ctx.asInt(), model.maxContextLength);
        if (knobs.refuseLoads) {
            ErrorBodies.emulatedFailure(response, style, 500, null);
            return;
        }
        boolean echo = json.path("echo_load_config").asBoolean(false);
        long started = System.nanoTime();
        load(model, contextLength, instance -> {
            ObjectNode answer = Json.object()
                    .put("type", model.type)
                    .put("instance_id", instance.id())
                    .put("load_time_seconds", (System.nanoTime() - started) / 1e9)
                    .put("status", "loaded");
            if (echo) {
                answer.putObject("load_config").put("context_length", instance.contextLength());
            }
            Json.send(response, 200, answer);
        });
    }

    void handleUnload(Buffer body, HttpServerResponse response) {
        ErrorStyle style = knobs.errorStyle;
        ObjectNode json = Json.parseObject(body);
        String instanceId = json == null ? null : json.path("instance_id").asText(null);
        if (instanceId == null || instanceId.isBlank()) {
            ErrorBodies.badRequest(response, style, "'instance_id' is required.", "instance_id");
            return;
        }
        EmulatedModel model = catalog.findByInstance(instanceId);
        if (model == null) {
            ErrorBodies.instanceNotFound(response, style, instanceId);
            return;
        }
        Runnable unload = () -> {
            if (model.removeInstance(instanceId)) {
                Json.send(response, 200, Json.object().put("instance_id", instanceId));
            } else {
                ErrorBodies.instanceNotFound(response, style, instanceId);
            }
        };
        long delay = knobs.unloadDelayMs;
        if (delay <= 0) {
            unload.run();
        } else {
            vertx.setTimer(delay, id -> unload.run());
        }
    }
}
