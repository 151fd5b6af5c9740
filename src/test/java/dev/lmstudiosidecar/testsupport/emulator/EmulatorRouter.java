package dev.lmstudiosidecar.testsupport.emulator;

import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** Reads each request whole, records it, and sends it to the endpoint the current shape has. */
final class EmulatorRouter implements Handler<HttpServerRequest> {

    private enum Route {
        GREETING, OPENAI_MODELS, V0_MODELS, V1_MODELS, LOAD, UNLOAD, CHAT, COMPLETIONS, EMBEDDINGS, UNKNOWN
    }

    private final Vertx vertx;
    private final Knobs knobs;
    private final ModelCatalog catalog;
    private final RequestLog log;
    private final ModelAdminHandler admin;
    private final GenerationHandler generation;
    private final LlamaServerConnections llamaConnections;
    private final Faults faults;

    EmulatorRouter(Vertx vertx, Knobs knobs, Faults faults, ModelCatalog catalog, RequestLog log, ModelAdminHandler admin,
                   GenerationHandler generation, LlamaServerConnections llamaConnections) {
        this.vertx = vertx;
        this.knobs = knobs;
        this.faults = faults;
        this.catalog = catalog;
        this.log = log;
        this.admin = admin;
        this.generation = generation;
        this.llamaConnections = llamaConnections;
    }

    @Override
    public void handle(HttpServerRequest request) {
        // A failed body means the client left during upload: nothing to answer.
        request.body().onSuccess(body -> {
            if (knobs.shape == Shape.LLAMA_CPP) {
                request.response().endHandler(ended -> llamaConnections.answerSent(request));
                llamaConnections.admit(request, () -> dispatch(request, body));
            } else {
                dispatch(request, body);
            }
        });
    }

    private void dispatch(HttpServerRequest request, Buffer body) {
        log.record(request, body);
        Shape shape = knobs.shape;
        HttpServerResponse response = request.response();
        switch (route(request.method(), request.path(), shape)) {
            case GREETING -> Json.send(response, 200, Json.object().put("lmstudio", true));
            case OPENAI_MODELS -> sendListing(request, shape == Shape.LLAMA_CPP
                    ? ModelListings.llamaCpp(catalog.all())
                    : ModelListings.openAi(catalog.all(), knobs.jitLoading));
            case V0_MODELS -> sendListing(request, ModelListings.v0(catalog.all()));
            case V1_MODELS -> sendListing(request, ModelListings.v1(catalog.all()));
            case LOAD -> admin.handleLoad(body, response);
            case UNLOAD -> admin.handleUnload(body, response);
            case CHAT -> generation.handle(GenerationKind.CHAT, request, body);
            case COMPLETIONS -> generation.handle(GenerationKind.COMPLETION, request, body);
            case EMBEDDINGS -> generation.handle(GenerationKind.EMBEDDING, request, body);
            case UNKNOWN -> {
                if (shape == Shape.LLAMA_CPP) {
                    ErrorBodies.llamaCppNotFound(response);
                } else if (shape == Shape.GENERIC_OPENAI) {
                    ErrorBodies.genericNotFound(response, request.method().name(), request.path());
                } else {
                    ErrorBodies.unexpectedEndpoint(response, request.method().name(), request.path());
                }
            }
        }
    }

    /**
     * A listing describes the models as they were when it was asked for, however late it answers;
     * or the connection closes unanswered ({@link Faults#dropNextListings}), or the answer is a 200
     * with an error body ({@link Knobs#listingError}).
     */
    private void sendListing(HttpServerRequest request, ObjectNode models) {
        if (faults.takeListingDrop()) {
            request.connection().close();
            return;
        }
        HttpServerResponse response = request.response();
        String error = knobs.listingError;
        ObjectNode listing = error == null ? models : Json.object().put("error", error);
        long delay = knobs.listingDelayMs;
        if (delay <= 0) {
            Json.send(response, 200, listing);
        } else {
            vertx.setTimer(delay, id -> Json.send(response, 200, listing));
        }
    }

    /** Which endpoints exist depends on the emulated server: LM Studio 0.4, 0.3, or a generic one. */
    private static Route route(HttpMethod method, String path, Shape shape) {
        boolean lmStudio = shape != Shape.GENERIC_OPENAI && shape != Shape.LLAMA_CPP;
        boolean v04 = shape == Shape.LMSTUDIO_0_4;
        if (method == HttpMethod.GET) {
            return switch (path) {
                case "/lmstudio-greeting" -> lmStudio ? Route.GREETING : Route.UNKNOWN;
                case "/v1/models" -> Route.OPENAI_MODELS;
                case "/api/v0/models" -> lmStudio ? Route.V0_MODELS : Route.UNKNOWN;
                case "/api/v1/models" -> v04 ? Route.V1_MODELS : Route.UNKNOWN;
                default -> Route.UNKNOWN;
            };
        }
        if (method == HttpMethod.POST) {
            return switch (path) {
                case "/v1/chat/completions" -> Route.CHAT;
                case "/v1/completions" -> Route.COMPLETIONS;
                case "/v1/embeddings" -> Route.EMBEDDINGS;
                case "/api/v1/models/load" -> v04 ? Route.LOAD : Route.UNKNOWN;
                case "/api/v1/models/unload" -> v04 ? Route.UNLOAD : Route.UNKNOWN;
                default -> Route.UNKNOWN;
            };
        }
        return Route.UNKNOWN;
    }
}
