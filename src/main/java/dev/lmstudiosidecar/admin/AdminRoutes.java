package dev.lmstudiosidecar.admin;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmstudiosidecar.api.ApiError;
import dev.lmstudiosidecar.api.ApiException;
import dev.lmstudiosidecar.api.JsonLimits;
import dev.lmstudiosidecar.api.OpenAiEndpoint;
import dev.lmstudiosidecar.api.OpenAiRequest;
import dev.lmstudiosidecar.api.OpenAiRequestParser;
import dev.lmstudiosidecar.api.RequestBodyReader;
import dev.lmstudiosidecar.api.RequestIds;
import dev.lmstudiosidecar.api.SidecarHeaders;
import dev.lmstudiosidecar.api.UpstreamErrors;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.config.SidecarConfig;
import dev.lmstudiosidecar.metrics.PerformanceTracker;
import dev.lmstudiosidecar.health.HealthMonitor;
import dev.lmstudiosidecar.models.ModelActionRefused;
import dev.lmstudiosidecar.models.ModelDirectory;
import dev.lmstudiosidecar.models.ModelDiscovery;
import dev.lmstudiosidecar.models.ModelInventory;
import dev.lmstudiosidecar.fleet.FleetModelAdmin;
import dev.lmstudiosidecar.fleet.LMStudioFleet;
import dev.lmstudiosidecar.resilience.BackendBreakers;
import dev.lmstudiosidecar.models.ResourceMonitor;
import dev.lmstudiosidecar.provider.UpstreamFailureException;
import dev.lmstudiosidecar.routing.TaskClassification;
import dev.lmstudiosidecar.routing.TaskRouter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import dev.lmstudiosidecar.cache.ResponseCache;
import org.jboss.logging.Logger;

/**
 * The seed's management methods under {@code /admin/*} on the API port: the models (catalog and
 * discovery joined), a listing on demand, load and unload, the resources, the recent performance per model, the backends' health
 * and the response cache (its state; emptied whole or for one model). Model keys may hold
 * slashes ({@code qwen/qwen3-4b}), so the model is everything between {@code /models/} and the action.
 */
@ApplicationScoped
public class AdminRoutes {

    private static final Logger LOG = Logger.getLogger(AdminRoutes.class);

    /** A load's body is at most {@code {"context_length": N}}. */
    private static final int MAX_BODY_BYTES = 4096;
    private static final String LOAD_BODY = "{\"context_length\": 8192}";

    private final ModelDirectory directory;
    private final ModelDiscovery discovery;
    private final FleetModelAdmin fleetModels;
    private final LMStudioFleet fleet;
    private final HostsView hostsView;
    private final String hostsSource;
    private final ResourceMonitor resources;
    private final PerformanceTracker performance;
    private final boolean collectingMetrics;
    private final HealthMonitor health;
    private final UpstreamErrors upstreamErrors;
    private final AdminAuth auth;
    private final AdminJson render;
    private final ObjectMapper json;
    private final Vertx vertx;
    private final long bodyTimeoutMillis;
    private final ResponseCache cache;
    private final CacheView cacheView;
    private final TaskRouter taskRouter;
    private final RouteView routeView;
    private final OpenAiRequestParser routeParser;
    private final long maxRouteBodyBytes;

    AdminRoutes(Vertx vertx, ModelDirectory directory, ModelDiscovery discovery, FleetModelAdmin fleetModels, LMStudioFleet fleet,
                BackendBreakers breakers, ResourceMonitor resources, PerformanceTracker performance, HealthMonitor health, ResponseCache cache,
                TaskRouter taskRouter, LMStudioConfig lmstudio, SidecarConfig sidecar, ObjectMapper json) {
        this.directory = directory;
        this.discovery = discovery;
        this.fleetModels = fleetModels;
        this.fleet = fleet;
        this.hostsView = new HostsView(json, breakers);
        this.hostsSource = !lmstudio.hosts().isEmpty() ? "lmstudio.hosts" + lmstudio.hostsDns().map(dns -> " and lmstudio.hosts-dns").orElse("")
                : lmstudio.hostsDns().isPresent() ? "lmstudio.hosts-dns" : "lmstudio.base-url";
        this.resources = resources;
        this.performance = performance;
        this.collectingMetrics = lmstudio.collectMetrics();
        this.health = health;
        this.upstreamErrors = new UpstreamErrors(lmstudio);
        this.auth = new AdminAuth(sidecar.adminToken());
        this.render = new AdminJson(json);
        this.json = json;
        this.vertx = vertx;
        this.bodyTimeoutMillis = lmstudio.discoveryTimeout().toMillis();
        this.cache = cache;
        this.cacheView = new CacheView(json);
        this.taskRouter = taskRouter;
        this.routeView = new RouteView(json);
        this.maxRouteBodyBytes = sidecar.maxRequestBody().bytes();
        this.routeParser = new OpenAiRequestParser(false, JsonLimits.of(sidecar));
    }

    void register(@Observes Router router) {
        router.route("/admin/*").order(-10).handler(this::identifyAndAuthorize);
        router.get("/admin/models").handler(routing -> send(routing, 200, models(discovery.inventory())));
        router.post("/admin/models/refresh").handler(routing -> answer(routing, refreshOrLastListing(), this::models));
        router.get("/admin/hosts").handler(routing -> send(routing, 200, hostsView.hosts(hostsSource, fleet.hosts(), directory.catalog())));
        router.routeWithRegex(HttpMethod.POST, "/admin/models/(?<model>.+)/load").handler(this::load);
        router.routeWithRegex(HttpMethod.POST, "/admin/models/(?<model>.+)/unload").handler(this::unload);
        router.get("/admin/resources").handler(routing -> send(routing, 200, render.resources(resources.current())));
        router.get("/admin/performance").handler(routing -> send(routing, 200,
                render.performance(performance.window(), collectingMetrics, performance.snapshot())));
        // The last checks' result: asking for it calls no backend.
        router.get("/admin/health").handler(routing -> send(routing, 200, render.health(health.snapshot())));
        router.get("/admin/cache").handler(routing -> send(routing, 200, cacheView.render(cache)));
        router.post("/admin/route").handler(this::dryRun);
        router.delete("/admin/cache").handler(routing -> {
            String model = routing.request().getParam("model");
            answer(routing, Future.fromCompletionStage(cache.remove(model)), removed -> cacheView.removed(model, removed));
        });
        router.route("/admin/*").handler(this::wrongMethodOrPath);
    }

    /**
     * Answers {@code routing} with what {@code outcome} gives, on the request's own event loop: a
     * shared load or listing completes on the loop of whoever started it.
     */
    private <T> void answer(RoutingContext routing, Future<T> outcome, Function<T, ObjectNode> body) {
        Context context = Vertx.currentContext();
        outcome.onComplete(result -> context.runOnContext(v -> {
            if (result.succeeded()) {
                send(routing, 200, body.apply(result.result()));
            } else {
                fail(routing, result.cause());
            }
        }));
    }

    /**
     * A listing made now; when the server cannot be listed, the last one, which the answer marks
     * stale with why. With no listing at all there is nothing to answer but the failure.
     */
    private Future<ModelInventory> refreshOrLastListing() {
        return discovery.rediscover().recover(failure -> failure instanceof UpstreamFailureException && discovery.inventory().known()
                ? Future.succeededFuture(discovery.inventory())
                : Future.failedFuture(failure));
    }

    /** Reached by what no admin route took: a known path with another method is a 405 that says which one it takes. */
    private void wrongMethodOrPath(RoutingContext routing) {
        String path = routing.normalizedPath();
        String allowed = path.equals("/admin/models") || path.equals("/admin/resources") || path.equals("/admin/performance")
                || path.equals("/admin/health") || path.equals("/admin/hosts") ? "GET"
                : path.equals("/admin/models/refresh") || path.equals("/admin/route") || path.matches("/admin/models/.+/(load|unload)") ? "POST" : null;
        if (allowed == null) {
            routing.next(); // the API's own 404
            return;
        }
        error(routing, new ApiError(405, ApiError.INVALID_REQUEST, "method_not_allowed", null,
                routing.request().method().name() + " is not allowed on " + path + "; use " + allowed + ".", Map.of("Allow", allowed)));
    }

    /** Every admin answer, refusals and the API's own 404 included, carries the request id: the caller's, or a new one. */
    private void identifyAndAuthorize(RoutingContext routing) {
        routing.response().putHeader(SidecarHeaders.REQUEST_ID, RequestIds.resolve(routing.request().getHeader(SidecarHeaders.REQUEST_ID)));
        auth.check(routing.request().getHeader("Authorization")).ifPresentOrElse(refused -> error(routing, refused), routing::next);
    }

    private ObjectNode models(ModelInventory inventory) {
        ObjectNode answer = render.models(inventory, discovery.lastProblem(), directory.models());
        hostsView.addHosts(answer, fleet.hosts());
        return answer;
    }

    /** {@code ?host=}: the host an operator names for a load or unload; none, the fleet decides. */
    private static Optional<String> host(RoutingContext routing) {
        return Optional.ofNullable(routing.request().getParam("host")).filter(name -> !name.isBlank());
    }

    private void load(RoutingContext routing) {
        String model = routing.pathParam("model");
        answer(routing, readBody(routing).compose(body -> fleetModels.load(model, contextLength(body), host(routing))), loaded -> {
            ObjectNode answer = json.createObjectNode().put("status", "loaded").put("host", loaded.host().name());
            answer.set("model", directory.model(loaded.model().key()).map(render::model).orElse(null));
            return answer;
        });
    }

    /** {@code POST /admin/route}: a chat request, routed as the API would route it, without calling any model or counting it. */
    private void dryRun(RoutingContext routing) {
        Future<Buffer> body = readBytes(routing, maxRouteBodyBytes,
                "A request to route is at most " + maxRouteBodyBytes + " bytes (sidecar.max-request-body).");
        answer(routing, body.map(bytes -> {
            byte[] chat = bytes.getBytes();
            OpenAiRequest request;
            try {
                request = routeParser.parse(OpenAiEndpoint.CHAT_COMPLETIONS, chat, routing.request()::getHeader);
            } catch (ApiException invalid) {
                throw new AdminRefusal(invalid.error()); // map turns it into the failed future answer() reports
            }
            TaskClassification classification = taskRouter.classify(request.namedTask(), chat, 0, chat.length);
            return request.wantsRouting() ? routeView.routed(taskRouter.dryRun(classification))
                    : routeView.named(request.model(), classification);
        }), Function.identity());
    }

    private void unload(RoutingContext routing) {
        String model = routing.pathParam("model");
        answer(routing, fleetModels.unload(model, host(routing)), unloaded -> {
            ObjectNode answer = json.createObjectNode().put("status", "unloaded").put("model", model);
            ArrayNode instances = answer.putArray("instances");
            unloaded.instances().values().forEach(ids -> ids.forEach(instances::add));
            unloaded.instances().keySet().forEach(answer.putArray("hosts")::add);
            if (!unloaded.failed().isEmpty()) {
                ObjectNode failed = answer.putObject("failed"); // what stays loaded where, and why
                unloaded.failed().forEach(failed::put);
            }
            return answer;
        });
    }

    /** A request body of at most {@code maxBytes}, arriving within the admin body timeout. */
    private Future<Buffer> readBytes(RoutingContext routing, long maxBytes, String tooLarge) {
        HttpServerRequest request = routing.request();
        Buffer body = Buffer.buffer();
        Promise<Buffer> read = Promise.promise();
        if (request.isEnded()) {
            read.complete(body);
        } else {
            // A body that trickles in is not waited for longer than a listing would be.
            long timer = vertx.setTimer(bodyTimeoutMillis, id -> read.tryFail(AdminRefusal.ofUpload(new ApiError(408, ApiError.INVALID_REQUEST,
                    "request_timeout", null, "The request body did not arrive within " + bodyTimeoutMillis + " ms.", Map.of()))));
            read.future().onComplete(done -> vertx.cancelTimer(timer));
            request.handler(chunk -> {
                if (body.length() + chunk.length() > maxBytes) {
                    read.tryFail(AdminRefusal.ofUpload(new ApiError(413, ApiError.INVALID_REQUEST, "request_too_large", null, tooLarge, Map.of())));
                } else {
                    body.appendBuffer(chunk);
                }
            });
            request.exceptionHandler(read::tryFail);
            request.endHandler(end -> read.tryComplete(body));
            request.resume();
        }
        return read.future();
    }

    /** The load's JSON body, bounded; none is an empty object. */
    private Future<JsonNode> readBody(RoutingContext routing) {
        String tooLarge = "The body of a load is at most " + MAX_BODY_BYTES + " bytes: " + LOAD_BODY + " or nothing.";
        return readBytes(routing, MAX_BODY_BYTES, tooLarge).compose(bytes -> {
            try {
                JsonNode parsed = bytes.length() == 0 ? json.createObjectNode()
                        : json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(bytes.getBytes());
                if (parsed == null || !parsed.isObject()) {
                    throw new IOException("not a JSON object");
                }
                return Future.succeededFuture(parsed);
            } catch (IOException bad) {
                return Future.failedFuture(new AdminRefusal(new ApiError(400, ApiError.INVALID_REQUEST, "invalid_json", null,
                        "The body of a load must be a JSON object, " + LOAD_BODY + ", or nothing.", Map.of())));
            }
        });
    }

    /** {@code context_length} (or the seed's {@code contextLength}); any other field is a mistake worth saying. */
    private static OptionalInt contextLength(JsonNode body) {
        JsonNode value = null;
        for (var fields = body.fields(); fields.hasNext(); ) {
            var field = fields.next();
            if (!field.getKey().equals("context_length") && !field.getKey().equals("contextLength")) {
                throw new AdminRefusal(ApiError.invalidRequest(field.getKey(), "Unknown field '" + field.getKey()
                        + "' in the body of a load: it takes " + LOAD_BODY + " or nothing."));
            }
            value = field.getValue();
        }
        if (value == null || value.isNull()) {
            return OptionalInt.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() <= 0) {
            throw new AdminRefusal(ApiError.invalidRequest("context_length",
                    "'context_length' must be a whole number from 1 to " + Integer.MAX_VALUE + ", e.g. 8192."));
        }
        return OptionalInt.of(value.intValue());
    }

    private void fail(RoutingContext routing, Throwable failure) {
        ApiError error;
        if (failure instanceof AdminRefusal refusal) {
            if (refusal.uploadRefused) {
                refuseUpload(routing, refusal.error);
                return;
            }
            error = refusal.error;
        } else if (failure instanceof ModelActionRefused refused) {
            error = refusal(refused);
        } else if (failure instanceof UpstreamFailureException upstream) {
            error = upstreamErrors.toApiError(upstream.failure(), null, routing.request().method().name(), routing.normalizedPath());
        } else {
            LOG.errorf(failure, "admin call %s %s failed", routing.request().method(), routing.normalizedPath());
            error = ApiError.internal("The admin call failed (" + failure.getClass().getSimpleName() + ").");
        }
        error(routing, error);
    }

    private static ApiError refusal(ModelActionRefused refused) {
        String message = refused.getMessage();
        return switch (refused.reason()) {
            case UNKNOWN_MODEL -> new ApiError(404, ApiError.INVALID_REQUEST, "model_not_found", "model", message, Map.of());
            case NO_LOAD_API -> new ApiError(501, ApiError.SERVER_ERROR, "load_api_unavailable", null, message, Map.of());
            case IN_USE -> new ApiError(409, ApiError.INVALID_REQUEST, "model_in_use", "model", message, Map.of());
            case KEPT_WARM -> new ApiError(409, ApiError.INVALID_REQUEST, "model_kept_warm", "model", message, Map.of());
            case NOT_LOADED -> new ApiError(409, ApiError.INVALID_REQUEST, "model_not_loaded", "model", message, Map.of());
            case UNKNOWN_HOST -> new ApiError(404, ApiError.INVALID_REQUEST, "host_not_found", "host", message, Map.of());
            case NO_HOST -> new ApiError(503, ApiError.SERVER_ERROR, "model_unavailable", null, message, Map.of("Retry-After", "1"));
        };
    }

    /** A request the admin API refuses before it does anything. */
    private static final class AdminRefusal extends RuntimeException {
        private final transient ApiError error;
        /** The body itself was refused (too large, too slow): the rest of it is not read. */
        private final boolean uploadRefused;

        AdminRefusal(ApiError error) {
            this(error, false);
        }

        private AdminRefusal(ApiError error, boolean uploadRefused) {
            super(error.message(), null, false, false);
            this.error = error;
            this.uploadRefused = uploadRefused;
        }

        static AdminRefusal ofUpload(ApiError error) {
            return new AdminRefusal(error, true);
        }
    }

    private void send(RoutingContext routing, int status, ObjectNode body) {
        respond(routing, status, Map.of(), body.toString(), false);
    }

    private void error(RoutingContext routing, ApiError error) {
        respond(routing, error.status(), error.headers(), error.toJson(), false);
    }

    /** Answers a refused upload (too large, too slow): the rest of it is not read, and the connection closes. */
    private void refuseUpload(RoutingContext routing, ApiError error) {
        respond(routing, error.status(), error.headers(), error.toJson(), true);
    }

    /**
     * Answers {@code routing} and keeps the connection for the caller's next call: whatever is left
     * of a body no route read is read and dropped. A refused upload, or a body declared larger than a
     * load's may be, closes the connection instead; so does a body that turns out larger, or late.
     */
    private void respond(RoutingContext routing, int status, Map<String, String> headers, String json, boolean uploadRefused) {
        HttpServerResponse response = routing.response();
        if (response.ended()) {
            return;
        }
        HttpServerRequest request = routing.request();
        boolean close = false;
        if (!request.isEnded()) {
            if (uploadRefused || RequestBodyReader.contentLength(request.getHeader("Content-Length")) > MAX_BODY_BYTES) {
                close = request.version() != HttpVersion.HTTP_2;
            } else {
                dropRestOfBody(request);
            }
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json");
        headers.forEach(response::putHeader);
        if (close) {
            response.putHeader("Connection", "close");
        }
        response.end(json);
    }


    /** Reads and drops what is left of {@code request}'s body; more than a load's body may hold, or late, ends the exchange. */
    private void dropRestOfBody(HttpServerRequest request) {
        long[] dropped = {0};
        long timer = vertx.setTimer(bodyTimeoutMillis, id -> abandon(request));
        request.handler(chunk -> {
            dropped[0] += chunk.length();
            if (dropped[0] > MAX_BODY_BYTES) {
                vertx.cancelTimer(timer);
                abandon(request);
            }
        });
        request.exceptionHandler(failed -> vertx.cancelTimer(timer));
        request.endHandler(ended -> vertx.cancelTimer(timer));
        request.resume();
    }

    /** Stops reading a body the sidecar will not take: on HTTP/2 its stream, else its connection. */
    private static void abandon(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2) {
            request.response().reset();
        } else {
            request.connection().close();
        }
    }
}
