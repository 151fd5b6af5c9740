package dev.lmstudiosidecar.testsupport.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.ErrorStyle;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.Shape;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * {@code /v1/chat/completions}, {@code /v1/completions}, {@code /v1/embeddings}: faults first (the
 * server is failing whatever was asked), then validation and model resolution, then JIT load, then the answer.
 */
final class GenerationHandler {

    private final Vertx vertx;
    private final Knobs knobs;
    private final Faults faults;
    private final ModelCatalog catalog;
    private final Generations generations;
    private final ModelAdminHandler loader;
    /** The name llama-server gives an answer to a request that names no model (its DEFAULT_OAICOMPAT_MODEL). */
    static final String LLAMA_CPP_DEFAULT_MODEL = "gpt-3.5-turbo";

    private final AtomicLong ids = new AtomicLong();

    GenerationHandler(Vertx vertx, Knobs knobs, Faults faults, ModelCatalog catalog, Generations generations,
                      ModelAdminHandler loader) {
        this.vertx = vertx;
        this.knobs = knobs;
        this.faults = faults;
        this.catalog = catalog;
        this.generations = generations;
        this.loader = loader;
    }

    void handle(GenerationKind kind, HttpServerRequest request, Buffer body) {
        Generation g = generations.begin(vertx, request);
        if (faults.takeResetOnArrival()) {
            g.drop(); // not a byte of an answer: the connection closes as the request arrives
            return;
        }
        boolean llamaCpp = knobs.shape == Shape.LLAMA_CPP;
        ErrorStyle style = llamaCpp ? ErrorStyle.LLAMA_CPP : knobs.errorStyle;
        int failStatus = faults.takeFailure();
        if (failStatus > 0) {
            String credentials = request.getHeader("Authorization");
            refuse(g, r -> ErrorBodies.emulatedFailure(r, style, failStatus, credentials));
            return;
        }
        if (faults.takeRateLimit()) {
            refuse(g, r -> {
                r.putHeader("Retry-After", "1");
                ErrorBodies.emulatedFailure(r, style, 429, null);
            });
            return;
        }
        if (faults.takeHang()) {
            return; // read but never answered: stays active until the client leaves or reset()/close()
        }
        String errorBody = faults.takeErrorBody();
        if (errorBody != null) {
            refuse(g, r -> Json.send(r, 200, Json.object().put("error", errorBody)));
            return;
        }
        ObjectNode json = Json.parseObject(body);
        if (json == null) {
            refuse(g, r -> ErrorBodies.badRequest(r, style, "Malformed JSON in request body.", null));
            return;
        }
        String invalid = validate(kind, json);
        if (invalid != null) {
            refuse(g, r -> ErrorBodies.badRequest(r, style, invalid, null));
            return;
        }
        String requested = json.path("model").asText("");
        // llama-server serves the one model it runs, whatever name a request gives.
        EmulatedModel model = requested.isBlank() || llamaCpp
                ? catalog.firstLoaded(kind.wantsEmbeddingModel())
                : catalog.find(requested);
        if (model == null) {
            refuse(g, r -> {
                if (requested.isBlank()) {
                    ErrorBodies.modelNotLoaded(r, style, null);
                } else {
                    ErrorBodies.modelNotFound(r, style, requested);
                }
            });
            return;
        }
        if (model.isEmbedding() != kind.wantsEmbeddingModel()) {
            String message = model.isEmbedding()
                    ? "Model '" + model.key + "' is an embedding model and cannot generate text."
                    : "Model '" + model.key + "' is not an embedding model.";
            refuse(g, r -> ErrorBodies.badRequest(r, style, message, "model"));
            return;
        }
        String name = !requested.isBlank() ? requested : llamaCpp ? LLAMA_CPP_DEFAULT_MODEL : model.key;
        if (model.isLoaded()) {
            answer(kind, g, json, name, model);
        } else if (knobs.jitLoading) {
            // JIT: the request blocks, without a byte, while the model loads; the load outlives a departed client
            loader.load(model, model.defaultContextLength(), instance -> {
                if (g.isOpen()) {
                    answer(kind, g, json, name, model);
                }
            });
        } else {
            refuse(g, r -> ErrorBodies.modelNotLoaded(r, style, name));
        }
    }

    private static String validate(GenerationKind kind, ObjectNode json) {
        return switch (kind) {
            case CHAT -> json.path("messages").isArray() ? null : "'messages' is required and must be an array.";
            case COMPLETION -> json.hasNonNull("prompt") ? null : "'prompt' is required.";
            case EMBEDDING -> inputs(json.path("input")) != null ? null
                    : "'input' must be a non-empty string or an array of strings.";
        };
    }

    private static List<String> inputs(JsonNode input) {
        if (input.isTextual()) {
            return List.of(input.asText());
        }
        if (!input.isArray() || input.isEmpty()) {
            return null;
        }
        List<String> texts = new ArrayList<>(input.size());
        for (JsonNode item : input) {
            if (!item.isTextual()) {
                return null;
            }
            texts.add(item.asText());
        }
        return texts;
    }

    /** An error answer: the request leaves the active set without counting as a generation. */
    private static void refuse(Generation g, Consumer<HttpServerResponse> writeError) {
        if (g.end(Generation.Ending.ANSWERED_WITHOUT_GENERATING)) {
            writeError.accept(g.response);
        }
    }

    private void answer(GenerationKind kind, Generation g, ObjectNode json, String name, EmulatedModel model) {
        Faults.PlainFault fault = faults.takeAnswerFault();
        int oversize = faults.takeOversize();
        if (fault == Faults.PlainFault.EVICT_MID_GENERATION) {
            model.evict(); // LM Studio unloads the model under the running generation, which breaks off
        }
        if (kind == GenerationKind.EMBEDDING) {
            ObjectNode answer = CompletionBodies.embeddings(name, inputs(json.path("input")));
            if (oversize > 0) {
                answer.put("padding", "x".repeat(oversize)); // a field clients ignore: the answer stays a correct one
            }
            sendPlain(g, Buffer.buffer(Json.bytes(answer)), 0, fault);
            return;
        }
        // an oversized answer is one of many tokens: each is at least 5 bytes ("tokN "), an event of one well over 100
        boolean stream = json.path("stream").asBoolean(false);
        int tokens = oversize > 0 ? Math.max(knobs.tokensPerResponse, oversize / (stream ? 100 : 5) + 1) : knobs.tokensPerResponse;
        GenerationRequest r = GenerationRequest.of(kind, ids.incrementAndGet(), name, json, tokens);
        long tokenDelay = knobs.tokenDelayMs;
        if (r.stream()) {
            SseEvents events = new SseEvents(r);
            int half = Math.max(2, events.count() / 2); // past the first token: the stream has started for the client
            int dropAfter = fault == Faults.PlainFault.RESET_MID_BODY || fault == Faults.PlainFault.EVICT_MID_GENERATION
                    ? half : faults.takeDropAfter();
            int truncateAt = fault == Faults.PlainFault.TRUNCATED_JSON ? half : -1;
            new TokenStream(g, events, tokenDelay, dropAfter, faults.takeStallAfter(), truncateAt).start();
        } else {
            sendPlain(g, Buffer.buffer(Json.bytes(CompletionBodies.full(r))), tokenDelay * r.completionTokens(), fault);
        }
    }

    /** A non-streamed answer after {@code delayMs}, or the fault planned for it. */
    private void sendPlain(Generation g, Buffer body, long delayMs, Faults.PlainFault fault) {
        HttpServerResponse response = g.response;
        Buffer firstHalf = body.getBuffer(0, body.length() / 2);
        if (faults.takeStallAfter() >= 0) {
            // Headers and the first half of the body, then silence: a server that hung mid-answer.
            jsonHead(response, body.length()).write(firstHalf);
            return;
        }
        if (fault == Faults.PlainFault.EVICT_MID_GENERATION) {
            g.after(delayMs / 2, g::drop); // the model went away half-way: the connection closes unanswered
            return;
        }
        g.after(delayMs, () -> {
            if (fault == Faults.PlainFault.RESET_MID_BODY) {
                jsonHead(response, body.length()).write(firstHalf);
                g.drop();
            } else if (fault == Faults.PlainFault.TRUNCATED_JSON) {
                // a well-framed HTTP answer whose JSON stops mid-object
                if (g.end(Generation.Ending.ANSWERED_WITHOUT_GENERATING)) {
                    jsonHead(response, firstHalf.length()).end(firstHalf);
                }
            } else if (g.end(Generation.Ending.COMPLETED)) {
                jsonHead(response, body.length()).end(body);
            }
        });
    }

    private static HttpServerResponse jsonHead(HttpServerResponse response, int length) {
        return response.setStatusCode(200)
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("Content-Length", Integer.toString(length));
    }
}
