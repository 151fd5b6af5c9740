package dev.lmstudiosidecar.models;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadState;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadedInstance;
import dev.lmstudiosidecar.models.ModelActionRefused.Reason;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailure.Kind;
import dev.lmstudiosidecar.provider.UpstreamFailureException;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioRestApi;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Loads and unloads models through LM Studio's REST API. Loads are single-flight per model: LM
 * Studio starts a separate copy for each concurrent request for an unloaded model, so every caller
 * that needs the same model shares one load. Each load first takes a listing started after it was
 * asked for, so that a stale one never loads a model twice; failed loads hold the next ones back
 * ({@link FailedLoads}).
 */
public class ModelLoader {

    private static final Logger LOG = Logger.getLogger(ModelLoader.class);

    private final LMStudioRestApi rest;
    private final HostDiscovery discovery;
    private final ModelUsage usage;
    private final boolean autoLoad;
    private final Set<String> keptWarm;
    private final FailedLoads failed;
    private final ModelLoadObserver observer;
    private final ConcurrentHashMap<String, Future<DiscoveredModel>> loading = new ConcurrentHashMap<>();
    /** The fresh-state checks of idle models under way, by key: one listing (and load) for a burst. */
    private final ConcurrentHashMap<String, Future<Void>> confirming = new ConcurrentHashMap<>();

    public ModelLoader(LMStudioRestApi rest, HostDiscovery discovery, ModelUsage usage, LMStudioConfig config, ModelLoadObserver observer) {
        this.rest = rest;
        this.observer = observer;
        this.discovery = discovery;
        this.usage = usage;
        this.autoLoad = config.autoLoadModels();
        this.keptWarm = Set.copyOf(config.keepModelsWarm().orElse(List.of()));
        // A refused load is tried again after one listing interval; one that timed out may run on for a whole load-timeout.
        this.failed = new FailedLoads(config.healthCheckInterval(), config.loadTimeout(), System::nanoTime);
        if (config.loadTimeout().isNegative() || config.loadTimeout().isZero()
                || config.discoveryTimeout().isNegative() || config.discoveryTimeout().isZero()) {
            throw new ConfigurationException("lmstudio.load-timeout and lmstudio.discovery-timeout must be positive (given "
                    + config.loadTimeout() + " and " + config.discoveryTimeout() + ")");
        }
    }

    /**
     * What a request for {@code model} waits for before it is sent: nothing (null, the common case)
     * when the model is loaded, unknown, or not the sidecar's to load; else its load, shared with
     * every other request waiting for it (and first the unload under way, if any). A model the last
     * listing did not have may be new, and one listed as loaded but idle for longer than one
     * {@code health-check-interval} may have been evicted since: for either, a fresh listing is asked
     * for first, shared by the requests that arrive meanwhile; a model in use takes no listing and
     * no lock here. The future fails with an
     * {@link UpstreamFailureException} only when LM Studio failed to load the model; whatever else
     * stands in the way, the request goes ahead and LM Studio's own answer speaks for it.
     *
     * @param stillWanted    false once the request's client has left
     * @param backendFailing true while LM Studio's circuit breaker is open: then no load is started
     *                       (asked only when a load would be, so the common case takes no lock)
     */
    public Future<Void> beforeRequest(String model, BooleanSupplier stillWanted, BooleanSupplier backendFailing) {
        if (model == null || !autoLoad) {
            return null;
        }
        ModelInventory inventory = discovery.inventory();
        String key = inventory.keyOf(model);
        Future<?> unload = usage.unloadOf(key);
        if (unload != null) {
            return unload.transform(unloaded -> {
                // A request whose client left meanwhile must not load back what the operator just unloaded.
                Future<Void> next = stillWanted.getAsBoolean() ? beforeRequest(model, stillWanted, backendFailing) : null;
                return next == null ? Future.succeededFuture() : next;
            });
        }
        DiscoveredModel found = inventory.byKey().get(key);
        if (found != null) {
            if (needsLoad(inventory, found)) {
                return backendFailing.getAsBoolean() ? null : loadForRequest(key);
            }
            // Listed as loaded but idle for longer than an interval: LM Studio may have evicted it since
            // (its idle TTL, another client), and every request of a burst sent now would start a JIT load
            // of its own. A names-only listing says nothing of the state (UNKNOWN): nothing to check then.
            if (found.loaded() && usage.idle(key) && !backendFailing.getAsBoolean()) {
                return freshState(key);
            }
            return null;
        }
        if (!inventory.known() || !inventory.api().canLoad() || backendFailing.getAsBoolean()) {
            return null; // nothing this sidecar could load: LM Studio answers for itself
        }
        return discovery.refreshIfDue()
                .map(fresh -> fresh.compose(now -> orNothing(loadIfUnloaded(now, model)), listingFailed -> Future.<Void>succeededFuture()))
                .orElse(null);
    }

    /**
     * What requests for an idle model wait for: a listing that starts now (one under way may have
     * read LM Studio before the eviction), then the load it shows to be needed. One per model at a
     * time, shared by the requests that arrive meanwhile; afterwards the model counts as seen, so the
     * requests that follow go straight on for another interval.
     */
    private Future<Void> freshState(String key) {
        Future<Void> underWay = confirming.get(key);
        if (underWay != null) {
            return underWay;
        }
        Promise<Void> mine = Promise.promise();
        underWay = confirming.putIfAbsent(key, mine.future());
        if (underWay != null) {
            return underWay;
        }
        discovery.freshListing()
                .compose(fresh -> {
                    usage.stateSeen(key);
                    return orNothing(loadIfUnloaded(fresh, key));
                }, listingFailed -> Future.succeededFuture()) // the last listing stays: LM Studio's own answer speaks for the request
                .onComplete(result -> {
                    confirming.remove(key);
                    mine.handle(result);
                });
        return mine.future();
    }

    /** The request's load when {@code inventory} lists {@code model} as not loaded (and the server can load it), else null. */
    private Future<Void> loadIfUnloaded(ModelInventory inventory, String model) {
        return inventory.find(model).filter(listed -> needsLoad(inventory, listed)).map(listed -> loadForRequest(listed.key()))
                .orElse(null);
    }

    private static Future<Void> orNothing(Future<Void> wait) {
        return wait == null ? Future.succeededFuture() : wait;
    }

    private static boolean needsLoad(ModelInventory inventory, DiscoveredModel model) {
        return inventory.api().canLoad() && model.state() == LoadState.NOT_LOADED;
    }

    /** A request's load: held back at once, without a listing, while an earlier load's failure still counts. */
    private Future<Void> loadForRequest(String key) {
        Optional<UpstreamFailure> heldBack = failed.holdingBack(key);
        if (heldBack.isPresent()) {
            return Future.failedFuture(new UpstreamFailureException(heldBack.get()));
        }
        return load(key, OptionalInt.empty()).<Void>mapEmpty()
                .recover(failure -> failure instanceof ModelActionRefused ? Future.succeededFuture() : Future.failedFuture(failure));
    }

    /**
     * Loads {@code model} unless it is loaded already (with no context length asked for), or joins
     * the load under way. A load with a context length asked for comes after the one under way, as
     * a copy of its own. Fails with {@link ModelActionRefused} (unknown model, no load API) or an
     * {@link UpstreamFailureException} (LM Studio failed, or took longer than {@code load-timeout}).
     */
    public Future<DiscoveredModel> load(String model, OptionalInt contextLength) {
        String key = discovery.inventory().keyOf(model);
        Future<?> unload = usage.unloadOf(key);
        if (unload != null) {
            return unload.transform(unloaded -> load(model, contextLength)); // then the model is not loaded: load it
        }
        Promise<DiscoveredModel> mine = Promise.promise();
        Future<DiscoveredModel> shared = loading.putIfAbsent(key, mine.future());
        if (shared != null) {
            return contextLength.isEmpty() ? shared : shared.transform(done -> load(model, contextLength));
        }
        listingWithLoadApi(discovery.freshListing())
                .compose(inventory -> {
                    DiscoveredModel found = listed(inventory, model);
                    if (found.loaded() && (contextLength.isEmpty() || hasInstanceWith(found, contextLength.getAsInt()))) {
                        failed.clear(found.key());
                        return Future.succeededFuture(found);
                    }
                    Optional<UpstreamFailure> mayStillRun = failed.mayStillRun(found.key());
                    if (mayStillRun.isPresent()) {
                        throw new UpstreamFailureException(mayStillRun.get());
                    }
                    long started = System.nanoTime();
                    return rest.load(found.key(), contextLength)
                            .map(answer -> {
                                observer.loadEnded(found.key(), System.nanoTime() - started, true);
                                LOG.infof("Loaded %s on LM Studio in %d ms", found.key(), (System.nanoTime() - started) / 1_000_000);
                                failed.clear(found.key());
                                return withInstance(found, answer, contextLength);
                            })
                            .onFailure(failure -> {
                                observer.loadEnded(found.key(), System.nanoTime() - started, false);
                                LOG.warnf("Loading %s on LM Studio failed: %s", found.key(), failure.getMessage());
                                failed.record(found.key(), UpstreamFailureException.of(rest.backend(), failure));
                            });
                })
                .onSuccess(discovery::update)
                .onComplete(result -> {
                    loading.remove(key);
                    mine.handle(result);
                });
        return mine.future();
    }

    private static boolean hasInstanceWith(DiscoveredModel model, int contextLength) {
        return model.instances().stream().anyMatch(instance -> instance.contextLength() == contextLength);
    }

    /**
     * Unloads every loaded instance of {@code model}, or only the instance it names ({@code key:2}).
     * Refused while requests hold the model or a load of it is under way, and for kept-warm models
     * (the sidecar would load them again within one interval). Requests that arrive while it runs
     * wait for it, then for a new load.
     *
     * @return the instance ids unloaded
     */
    public Future<List<String>> unload(String model) {
        return listingWithLoadApi(discovery.freshListing()).compose(inventory -> {
            DiscoveredModel found = listed(inventory, model);
            String key = found.key();
            if (keptWarm.contains(key)) {
                throw new ModelActionRefused(Reason.KEPT_WARM, key
                        + " is in lmstudio.keep-models-warm: the sidecar would load it again. Remove it from that list first.");
            }
            List<String> instances = found.instances().stream().map(LoadedInstance::id)
                    .filter(id -> model.equals(key) || id.equals(model)).toList();
            if (instances.isEmpty()) {
                throw new ModelActionRefused(Reason.NOT_LOADED, model + " is not loaded.");
            }
            Promise<List<String>> done = Promise.promise();
            if (loading.containsKey(key) || !usage.tryBeginUnload(key, done.future())) {
                int requests = usage.inFlight(key);
                throw new ModelActionRefused(Reason.IN_USE, key + (requests > 0
                        ? " has " + requests + " request(s) in flight; unloading it would break them."
                        : " is being loaded or unloaded right now.") + " Try again when they are done.");
            }
            try {
                unloadEach(found, instances, 0).onComplete(done);
            } catch (RuntimeException bug) {
                done.tryFail(bug); // never leave the model marked as being unloaded: requests wait on that
            }
            return done.future();
        });
    }

    private Future<List<String>> unloadEach(DiscoveredModel model, List<String> instances, int index) {
        if (index == instances.size()) {
            List<LoadedInstance> left = model.instances().stream().filter(i -> !instances.contains(i.id())).toList();
            discovery.update(model.withInstances(left));
            LOG.infof("Unloaded %s from LM Studio", String.join(", ", instances));
            return Future.succeededFuture(instances);
        }
        return rest.unload(instances.get(index)).compose(answer -> {
            observer.unloaded(model.key());
            return unloadEach(model, instances, index + 1);
        });
    }

    /** {@code listing}; from the richest API again when the remembered one cannot load (the server may have been upgraded). */
    private Future<ModelInventory> listingWithLoadApi(Future<ModelInventory> listing) {
        return listing.compose(inventory -> inventory.api().canLoad() ? Future.succeededFuture(inventory) : discovery.rediscover());
    }

    /**
     * The model as listed, or why it cannot be loaded or unloaded at all: a model the server does
     * not list is unknown whether or not the server could load it.
     */
    private DiscoveredModel listed(ModelInventory inventory, String model) {
        DiscoveredModel found = inventory.find(model).orElseThrow(() -> new ModelActionRefused(Reason.UNKNOWN_MODEL,
                inventory.api() == DiscoveryApi.OPENAI
                        ? "The server at " + rest.backend().openAiBase() + " does not list a model '" + model
                                + "' (GET /v1/models there). GET /admin/models lists what it serves."
                        : "LM Studio at " + rest.backend().openAiBase() + " has no model '" + model + "'. GET /admin/models lists what"
                                + " it has; download it with `lms get " + model + "`."));
        if (!inventory.api().canLoad()) {
            throw new ModelActionRefused(Reason.NO_LOAD_API, "The server at " + rest.backend().openAiBase()
                    + " has no model load API (/api/v1/models/load|unload need LM Studio 0.4 or later): load and unload models there"
                    + " with `lms load <model>` and `lms unload <model>`, or let JIT loading do it.");
        }
        return found;
    }

    private static DiscoveredModel withInstance(DiscoveredModel model, JsonNode answer, OptionalInt contextLength) {
        String id = answer.path("instance_id").asText(model.key());
        int context = answer.path("load_config").path("context_length").asInt(contextLength.orElse(0));
        List<LoadedInstance> instances = new ArrayList<>(model.instances());
        instances.add(new LoadedInstance(id, context));
        return model.withInstances(instances);
    }

    /**
     * The failure a request is told about when its model could not be loaded. LM Studio refusing
     * the load (not enough memory, say) is the model's unavailability, not a fault of the request.
     */
    public UpstreamFailure asUpstreamFailure(Throwable failure) {
        UpstreamFailure upstream = UpstreamFailureException.of(rest.backend(), failure);
        if (upstream.kind() == Kind.REJECTED) {
            return new UpstreamFailure(Kind.MODEL_NOT_LOADED, upstream.backend(), upstream.upstreamStatus(),
                    "LM Studio refused to load it: " + upstream.message(), upstream.code(), "model");
        }
        return upstream;
    }
}
