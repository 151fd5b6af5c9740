package dev.lmstudiosidecar.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lmstudiosidecar.cache.ResponseCache;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.fleet.LMStudioFleet;
import dev.lmstudiosidecar.models.ModelDiscovery;
import dev.lmstudiosidecar.models.ModelInventory;
import dev.lmstudiosidecar.config.SidecarConfig;
import dev.lmstudiosidecar.metrics.RequestMetrics;
import dev.lmstudiosidecar.metrics.UsageReader;
import dev.lmstudiosidecar.provider.cloud.CloudProvider;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioErrorReader;
import dev.lmstudiosidecar.resilience.BackendBreakers;
import dev.lmstudiosidecar.resilience.BackendGuards;
import dev.lmstudiosidecar.routing.FallbackChain;
import dev.lmstudiosidecar.routing.TaskRouter;
import dev.lmstudiosidecar.shutdown.GracefulShutdown;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The OpenAI surface: every {@code /v1/*} request, on a plain Vert.x route. The hot path needs no
 * JAX-RS machinery: it reads the body, validates it, and relays bytes. Whatever else reaches the
 * API port, and whatever fails, is answered with an OpenAI error object too.
 */
@ApplicationScoped
public class OpenAiRoutes {

    private static final Logger LOG = Logger.getLogger(OpenAiRoutes.class);

    private final ProxyContext context;
    private final int managementPort;
    private final LMStudioFleet fleet;
    private final ModelDiscovery discovery;

    OpenAiRoutes(Vertx vertx, FallbackChain chain, TaskRouter router, GracefulShutdown shutdown, BackendBreakers breakers, BackendGuards guards,
                 CloudProvider cloud, LMStudioFleet fleet, ModelDiscovery discovery, LMStudioConfig lmstudio, SidecarConfig sidecar,
                 RequestMetrics metrics, ResponseCache cache, ObjectMapper json, MeterRegistry registry,
                 @ConfigProperty(name = "quarkus.management.port", defaultValue = "9235") int managementPort) {
        this.managementPort = managementPort;
        this.fleet = fleet;
        this.discovery = discovery;
        RequestBodyBudget bodyBudget = new RequestBodyBudget(sidecar.maxBufferedRequestBytes().bytes());
        Gauge.builder("sidecar.request.body.held", bodyBudget, RequestBodyBudget::used).baseUnit("bytes")
                .description("Request-body bytes held by all requests at once (bounded by sidecar.max-buffered-request-bytes)")
                .register(registry);
        this.context = new ProxyContext(vertx, chain, router, shutdown, breakers, guards,
                new OpenAiRequestParser(metrics.enabled(), JsonLimits.of(sidecar)), new LMStudioErrorReader(json), new UpstreamErrors(lmstudio),
                new ServerErrorLog(Math.max(0, sidecar.errorLogLinesPerMinute()), System::nanoTime, LOG::warn), cloud::sanitize,
                bodyBudget, metrics, new UsageReader(), cache,
                sidecar.maxRequestBody().bytes(),
                sidecar.requestBodyTimeout().toMillis(),
                lmstudio.timeout().toMillis(), lmstudio.streamIdleTimeout().toMillis(),
                sidecar.clientWriteTimeout().toMillis());
    }

    void register(@Observes Router router) {
        // The routing entries GET /v1/models lists are the sidecar's, not LM Studio's: it answers for them itself.
        router.get("/v1/models/:model").handler(routing -> {
            String model = routing.pathParam("model");
            if (OpenAiRequest.AUTO_MODELS.contains(model)) {
                routing.response().putHeader(SidecarHeaders.REQUEST_ID, RequestIds.resolve(routing.request().getHeader(SidecarHeaders.REQUEST_ID)))
                        .putHeader("Content-Type", "application/json").end(AutoModelListing.model(model));
            } else {
                routing.next();
            }
        });
        // Several hosts: the fleet's models, not whichever host a proxied listing would reach.
        router.get("/v1/models").handler(routing -> {
            ModelInventory inventory = fleet.several() ? discovery.inventory() : ModelInventory.unknown();
            if (inventory.known()) {
                routing.response().putHeader(SidecarHeaders.REQUEST_ID, RequestIds.resolve(routing.request().getHeader(SidecarHeaders.REQUEST_ID)))
                        .putHeader("Content-Type", "application/json").end(AutoModelListing.ofFleet(inventory));
            } else {
                routing.next();
            }
        });
        router.route("/v1/*").handler(routing -> new ProxyExchange(context, routing).start());
        router.route().failureHandler(this::onFailure);
        router.route().last().handler(routing -> answer(routing, notFound(routing.normalizedPath())));
        router.errorHandler(400, routing -> answer(routing, ApiError.invalidRequest(null, "The request line or its headers are malformed.")));
        router.errorHandler(404, routing -> answer(routing, notFound(routing.normalizedPath())));
        router.errorHandler(405, routing -> answer(routing, ApiError.methodNotAllowed(routing.request().method().name())));
    }

    private void onFailure(RoutingContext routing) {
        Throwable failure = routing.failure();
        if (failure != null) {
            LOG.errorf(failure, "request %s %s failed", routing.request().method(), routing.normalizedPath());
            answer(routing, ApiError.internal("The sidecar failed on this request (" + failure.getClass().getSimpleName() + ")."));
        } else {
            int status = routing.statusCode();
            answer(routing, status == 404 ? notFound(routing.normalizedPath())
                    : new ApiError(status, status < 500 ? ApiError.INVALID_REQUEST : ApiError.SERVER_ERROR,
                            "http_" + status, null, "The request failed with HTTP " + status + ".", Map.of()));
        }
    }

    private ApiError notFound(String path) {
        return path.equals("/q") || path.startsWith("/q/") ? ApiError.onManagementPort(path, managementPort) : ApiError.noSuchRoute(path);
    }

    private static void answer(RoutingContext routing, ApiError error) {
        if (routing.response().ended() || routing.response().headWritten()) {
            return;
        }
        if (routing.response().headers().get(SidecarHeaders.REQUEST_ID) == null) {
            routing.response().putHeader(SidecarHeaders.REQUEST_ID, RequestIds.resolve(routing.request().getHeader(SidecarHeaders.REQUEST_ID)));
        }
        routing.response().setStatusCode(error.status()).putHeader("Content-Type", "application/json").end(error.toJson());
    }
}
