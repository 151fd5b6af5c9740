package dev.lmstudiosidecar.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lmstudiosidecar.config.ByteSize;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.models.CapabilityCatalog;
import dev.lmstudiosidecar.models.DiscoveredModel;
import dev.lmstudiosidecar.models.HostDiscovery;
import dev.lmstudiosidecar.models.ListingOutcome;
import dev.lmstudiosidecar.models.ModelCapabilities;
import dev.lmstudiosidecar.models.ModelInfo;
import dev.lmstudiosidecar.models.ModelInventory;
import dev.lmstudiosidecar.models.ModelLoadObserver;
import dev.lmstudiosidecar.models.ModelLoader;
import dev.lmstudiosidecar.models.ModelUsage;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.ProviderAdapter;
import dev.lmstudiosidecar.provider.UpstreamCall;
import dev.lmstudiosidecar.provider.lmstudio.HostRestClients;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioClient;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioRestApi;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioRestCalls;
import dev.lmstudiosidecar.resilience.BackendBreakers;
import dev.lmstudiosidecar.resilience.ConcurrencyLimiter;
import dev.lmstudiosidecar.resilience.LimiterTimers;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One LM Studio host and everything the sidecar keeps for it alone: its inference connection pool,
 * its REST API, its model discovery (the listing that is also its health check), its models' usage
 * and loads, and its concurrency limit and queue. Its circuit breaker and guard live in
 * {@link BackendBreakers}, under the host's name.
 */
public final class LMStudioHost implements ProviderAdapter {

    private static final double GIB = 1L << 30;

    private final HostSettings settings;
    private final Backend backend;
    private final LMStudioClient client;
    private final LMStudioRestApi rest;
    private final HostDiscovery discovery;
    private final ModelUsage usage;
    private final ModelLoader loader;
    private final ConcurrencyLimiter limiter;
    private final BackendBreakers breakers;
    private final Double budgetGB;
    private volatile ListingOutcome lastListing;
    /** Requests placed here and not ended; counted from their placement on, before they take a slot (see {@link #load()}). */
    private final AtomicInteger placed = new AtomicInteger();

    LMStudioHost(HostSettings settings, Vertx vertx, LMStudioConfig config, LMStudioRestCalls calls, ObjectMapper json,
                 ModelLoadObserver loadObserver, BackendBreakers breakers) {
        this.settings = settings;
        this.backend = settings.backend();
        this.breakers = breakers;
        this.client = new LMStudioClient(vertx, config, settings);
        this.rest = new LMStudioRestApi(vertx, config, backend, calls, HostRestClients.build(backend, config, settings.apiKey(), calls), json);
        this.discovery = new HostDiscovery(vertx, rest, config);
        this.usage = new ModelUsage(discovery, config);
        this.loader = new ModelLoader(rest, discovery, usage, config, loadObserver);
        this.limiter = new ConcurrencyLimiter(settings.maxConcurrentRequests(), config.maxQueuedRequests(), config.maxQueueWait().toMillis(),
                LimiterTimers.timersOf(vertx));
        this.budgetGB = settings.memoryBudget().map(ByteSize::bytes).map(bytes -> bytes / GIB).orElse(null);
        discovery.onListingOutcome(outcome -> lastListing = outcome);
    }

    public String name() {
        return settings.name();
    }

    public HostSettings settings() {
        return settings;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    public LMStudioClient client() {
        return client;
    }

    public LMStudioRestApi rest() {
        return rest;
    }

    public HostDiscovery discovery() {
        return discovery;
    }

    public ModelUsage usage() {
        return usage;
    }

    public ModelLoader loader() {
        return loader;
    }

    public ConcurrencyLimiter limiter() {
        return limiter;
    }

    /** The last listing's outcome; null before the first ended. */
    public ListingOutcome lastListing() {
        return lastListing;
    }

    @Override
    public UpstreamCall send(HttpMethod method, String suffixWithQuery, MultiMap headers, Buffer body) {
        return client.sendOpenAi(method, suffixWithQuery, headers, body);
    }

    @Override
    public ModelInventory availableModels() {
        return discovery.inventory();
    }

    /** Its breaker lets calls through, and its last listing answered (or none ended yet: nothing speaks against it). */
    @Override
    public boolean healthy() {
        ListingOutcome last = lastListing;
        return !breakers.isOpen(backend) && (last == null || last.succeeded());
    }

    @Override
    public double weight() {
        return settings.weight();
    }

    /**
     * Counted from placement, not from the slot: a request may wait for a listing or a load before it asks for
     * one, and requests placed meanwhile must see it, or a burst lands whole on the host that looked idle.
     */
    @Override
    public ProviderLoad load() {
        return new ProviderLoad(placed.get(), limiter.inFlight(), limiter.queued(), settings.maxConcurrentRequests());
    }

    /** A request was placed here; {@link #released()} when it ends or moves on. */
    public void placed() {
        placed.incrementAndGet();
    }

    public void released() {
        placed.decrementAndGet();
    }

    @Override
    public Future<DiscoveredModel> loadModel(String model, OptionalInt contextLength) {
        return loader.load(model, contextLength);
    }

    @Override
    public Future<List<String>> unloadModel(String model) {
        return loader.unload(model);
    }

    /** Its memory budget less what its loaded models hold: their files' size, else the catalog's figure. */
    @Override
    public OptionalDouble freeMemoryGB(CapabilityCatalog catalog) {
        if (budgetGB == null) {
            return OptionalDouble.empty();
        }
        double held = 0;
        for (DiscoveredModel model : discovery.inventory().models()) {
            if (model.loaded()) {
                held += ModelInfo.heldGB(model, catalog.find(model.key()).map(ModelCapabilities::memoryRequirementGB).orElse(0.0));
            }
        }
        return OptionalDouble.of(Math.max(0, budgetGB - held));
    }

    void start() {
        discovery.start();
    }

    /** Stops its listings and closes its connections: what is in flight on them breaks. */
    void close() {
        discovery.stop();
        client.close();
        rest.close();
    }

    @Override
    public String toString() {
        return backend.toString();
    }
}
