package dev.lmstudiosidecar.models;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadState;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadedInstance;
import dev.lmstudiosidecar.models.ModelActionRefused.Reason;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailureException;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioRestApi;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Loads and unloads models through LM Studio's REST API. Loads are single-flight per model: LM
 * Studio starts a separate copy for each concurrent request for an unloaded model, so every caller
 * that needs the same model shares one load. Each load first takes a fresh listing, so that a stale
 * one never loads a model twice.
 */
@Singleton
public class ModelLoader {

    private static final Logger LOG = Logger.getLogger(ModelLoader.class);

    private final LMStudioRestApi rest;
    private final ModelDiscovery discovery;
    private final ModelUsage usage;
    private final boolean autoLoad;
    private final Set<String> keptWarm;
    private final ConcurrentHashMap<String, Future<DiscoveredModel>> loading = new ConcurrentHashMap<>();

    ModelLoader(LMStudioRestApi rest, ModelDiscovery discovery, ModelUsage usage, LMStudioConfig config) {
        this.rest = rest;
        this.discovery = discovery;
        this.usage = usage;
        this.autoLoad = config.autoLoadModels();
        this.keptWarm = Set.copyOf(config.keepModelsWarm().orElse(List.of()));
    }

    /**
     * What a request for {@code model} waits for before it is sent: nothing (null, the common case)
     * when the model is loaded, unknown, or not the sidecar's to load; else its load, shared with
     * every other request waiting for it. A model the last listing did not have may be new: a
     * fresh listing is asked for first. The future fails with an {@link UpstreamFailureException}
     * only when LM Studio failed to load the model; whatever else stands in the way, the request
     * goes ahead and LM Studio's own answer speaks for it.
     */
    public Future<Void> beforeRequest(String model) {
        if (model == null || !autoLoad) {
            return null;
        }
        ModelInventory inventory = discovery.inventory();
        if (inventory.find(model).isPresent()) {
            return needsLoad(inventory, model) ? loadForRequest(model) : null;
        }
        if (!inventory.known()) {
            return null; // nothing listed yet: LM Studio answers for itself
        }
        return discovery.refreshIfDue()
                .map(fresh -> fresh.<Void>compose(now -> needsLoad(now, model) ? loadForRequest(model) : Future.succeededFuture(),
                        listingFailed -> Future.succeededFuture()))
                .orElse(null);
    }

    private static boolean needsLoad(ModelInventory inventory, String model) {
        return inventory.api() != null && inventory.api().canLoad()
                && inventory.find(model).map(found -> found.state() == LoadState.NOT_LOADED).orElse(false);
    }

    private Future<Void> loadForRequest(String model) {
        return load(model, OptionalInt.empty()).<Void>mapEmpty()
                .recover(failure -> failure instanceof ModelActionRefused ? Future.succeededFuture() : Future.failedFuture(failure));
    }

    /**
     * Loads {@code model} unless it is loaded already (with no context length asked for), or joins
     * the load under way. Fails with {@link ModelActionRefused} (unknown model, no load API) or an
     * {@link UpstreamFailureException} (LM Studio failed, or took longer than {@code load-timeout}).
     */
    public Future<DiscoveredModel> load(String model, OptionalInt contextLength) {
        Promise<DiscoveredModel> mine = Promise.promise();
        Future<DiscoveredModel> shared = loading.putIfAbsent(model, mine.future());
        if (shared != null) {
            return shared;
        }
        listingWithLoadApi()
                .compose(inventory -> {
                    DiscoveredModel found = listed(inventory, model);
                    if (found.loaded() && contextLength.isEmpty()) {
                        return Future.succeededFuture(found);
                    }
                    long started = System.nanoTime();
                    return rest.load(found.key(), contextLength).map(answer -> {
                        DiscoveredModel loaded = withInstance(found, answer, contextLength);
                        LOG.infof("Loaded %s on LM Studio in %d ms", found.key(), (System.nanoTime() - started) / 1_000_000);
                        return loaded;
                    });
                })
                .onSuccess(discovery::update)
                .onComplete(result -> {
                    loading.remove(model);
                    mine.handle(result);
                });
        return mine.future();
    }

    /**
     * Unloads every loaded instance of {@code model}. Refused while requests are in flight on it, and
     * for kept-warm models (the sidecar would load them again within one interval).
     *
     * @return the instance ids unloaded
     */
    public Future<List<String>> unload(String model) {
        if (keptWarm.contains(model)) {
            return Future.failedFuture(new ModelActionRefused(Reason.KEPT_WARM, model
                    + " is in lmstudio.keep-models-warm: the sidecar would load it again. Remove it from that list first."));
        }
        Future<Void> idle = refuseIfInUse(model);
        if (idle != null) {
            return idle.mapEmpty();
        }
        return listingWithLoadApi().compose(inventory -> {
            DiscoveredModel found = listed(inventory, model);
            Future<Void> stillIdle = refuseIfInUse(found.key());
            if (stillIdle != null) {
                return stillIdle.mapEmpty();
            }
            if (found.instances().isEmpty()) {
                return Future.failedFuture(new ModelActionRefused(Reason.NOT_LOADED, found.key() + " is not loaded."));
            }
            return unloadEach(found, 0, new ArrayList<>());
        });
    }

    /** A fresh listing; from the richest API again when the remembered one cannot load (the server may have been upgraded). */
    private Future<ModelInventory> listingWithLoadApi() {
        return discovery.refresh().compose(inventory -> inventory.api().canLoad() ? Future.succeededFuture(inventory) : discovery.rediscover());
    }

    private Future<List<String>> unloadEach(DiscoveredModel model, int index, List<String> done) {
        if (index == model.instances().size()) {
            discovery.update(new DiscoveredModel(model.key(), model.type(), LoadState.NOT_LOADED, List.of(), model.sizeBytes(),
                    model.maxContextLength(), model.quantization(), model.paramsString(), model.architecture()));
            LOG.infof("Unloaded %s from LM Studio (%s)", model.key(), String.join(", ", done));
            return Future.succeededFuture(done);
        }
        String instance = model.instances().get(index).id();
        return rest.unload(instance).compose(answer -> {
            done.add(instance);
            return unloadEach(model, index + 1, done);
        });
    }

    private Future<Void> refuseIfInUse(String model) {
        int requests = usage.inFlight(model);
        if (requests == 0) {
            return null;
        }
        return Future.failedFuture(new ModelActionRefused(Reason.IN_USE, model + " has " + requests
                + " request(s) in flight; unloading it would break them. Try again when they are done."));
    }

    /** The model as listed, or why it cannot be loaded or unloaded at all. */
    private DiscoveredModel listed(ModelInventory inventory, String model) {
        if (inventory.api() == null || !inventory.api().canLoad()) {
            throw new ModelActionRefused(Reason.NO_LOAD_API, "The server at " + rest.backend().openAiBase()
                    + " has no model load API (/api/v1/models/load needs LM Studio 0.4 or later): load models there with `lms load <model>`,"
                    + " or turn on JIT loading.");
        }
        return inventory.find(model).orElseThrow(() -> new ModelActionRefused(Reason.UNKNOWN_MODEL,
                "LM Studio at " + rest.backend().openAiBase() + " has no model '" + model + "'. GET /admin/models lists what it has;"
                        + " download it with `lms get " + model + "`."));
    }

    private static DiscoveredModel withInstance(DiscoveredModel model, JsonNode answer, OptionalInt contextLength) {
        String id = answer.path("instance_id").asText(model.key());
        int context = answer.path("load_config").path("context_length").asInt(contextLength.orElse(0));
        List<LoadedInstance> instances = new ArrayList<>(model.instances());
        instances.add(new LoadedInstance(id, context));
        return new DiscoveredModel(model.key(), model.type(), LoadState.LOADED, instances, model.sizeBytes(),
                model.maxContextLength(), model.quantization(), model.paramsString(), model.architecture());
    }

    /** The failure a request is told about when its model could not be loaded. */
    public UpstreamFailure asUpstreamFailure(Throwable failure) {
        return UpstreamFailureException.of(rest.backend(), failure);
    }
}
