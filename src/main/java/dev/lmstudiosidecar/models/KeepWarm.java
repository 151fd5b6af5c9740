package dev.lmstudiosidecar.models;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadState;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * {@code lmstudio.keep-models-warm}: after every listing (at start, then every
 * {@code health-check-interval}), each kept model that is not loaded is loaded, so one that LM
 * Studio's JIT auto-evict unloaded is back within one interval. It rides on the discovery timer
 * and has no task of its own to stop.
 */
@Singleton
public class KeepWarm {

    private static final Logger LOG = Logger.getLogger(KeepWarm.class);

    private final List<String> models;
    private final ModelLoader loader;
    /** Models a warning was logged for, so a model that stays missing is reported once. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    /** Kept models this class is loading: a listing that comes in meanwhile still calls them not loaded. */
    private final Set<String> reloading = ConcurrentHashMap.newKeySet();

    KeepWarm(LMStudioConfig config, ModelLoader loader) {
        this.models = config.keepModelsWarm().orElse(List.of());
        this.loader = loader;
    }

    void start(@Observes StartupEvent started, ModelDiscovery discovery) {
        if (!models.isEmpty()) {
            discovery.onRefresh(this::check);
            if (discovery.inventory().known()) {
                check(discovery.inventory()); // the first listing may have come in already; loads are single-flight
            }
        }
    }

    private void check(ModelInventory inventory) {
        if (!inventory.api().canLoad()) {
            warnOnce("*", "lmstudio.keep-models-warm is set, but the server lists its models through " + inventory.api().path()
                    + " and has no load API (LM Studio 0.4 or later): the sidecar cannot keep models loaded there.");
            return;
        }
        for (String model : models) {
            var listed = inventory.find(model);
            if (listed.isEmpty()) {
                warnOnce(model, "Kept-warm model " + model + " is not on LM Studio; download it with `lms get " + model + "`.");
            } else if (listed.get().state() == LoadState.NOT_LOADED && reloading.add(model)) {
                loader.load(model, OptionalInt.empty()).onComplete(loaded -> {
                    reloading.remove(model);
                    if (loaded.succeeded()) {
                        warned.remove(model);
                        LOG.infof("Kept-warm model %s was not loaded; loaded it", model);
                    } else {
                        warnOnce(model, "Cannot load kept-warm model " + model + ": " + loaded.cause().getMessage()
                                + " (trying again after the next listing)");
                    }
                });
            }
        }
    }

    private void warnOnce(String key, String message) {
        if (warned.add(key)) {
            LOG.warn(message);
        }
    }
}
