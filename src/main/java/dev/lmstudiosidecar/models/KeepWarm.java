package dev.lmstudiosidecar.models;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.fleet.LMStudioFleet;
import dev.lmstudiosidecar.fleet.LMStudioHost;
import dev.lmstudiosidecar.fleet.Placement;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadState;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * {@code lmstudio.keep-models-warm}: after every listing of any host (at start, then every
 * {@code health-check-interval}), each kept model loaded on fewer healthy hosts than
 * {@code lmstudio.keep-warm-replicas} is loaded on as many more as it takes, those with the most free
 * memory first. One that LM Studio's JIT auto-evict unloaded is back within one interval; one whose
 * host went away (its listing fails, or DNS no longer has it) is loaded elsewhere. It rides on the
 * discovery timers and has no task of its own to stop.
 */
@Singleton
public class KeepWarm {

    private static final Logger LOG = Logger.getLogger(KeepWarm.class);

    private final List<String> models;
    private final int replicas;
    private final LMStudioFleet fleet;
    private final ModelDirectory directory;
    /** Models a warning was logged for, so a model that stays missing is reported once. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    /** "host model" pairs this class is loading: a listing that comes in meanwhile still calls them not loaded. */
    private final Set<String> loading = ConcurrentHashMap.newKeySet();

    KeepWarm(LMStudioConfig config, LMStudioFleet fleet, ModelDirectory directory) {
        this.models = config.keepModelsWarm().orElse(List.of());
        this.replicas = config.keepWarmReplicas();
        this.fleet = fleet;
        this.directory = directory;
    }

    void start(@Observes StartupEvent started) {
        if (models.isEmpty()) {
            return;
        }
        // A host's first listing may have come in already; loads are single-flight.
        fleet.onJoin(host -> host.discovery().onListingOutcome(outcome -> check()));
        fleet.onLeave(host -> check());
    }

    private void check() {
        if (fleet.hosts().stream().anyMatch(host -> host.lastListing() == null)) {
            return; // a host not listed yet may have the most memory free: placing now could choose wrongly
        }
        List<LMStudioHost> hosts = fleet.hosts();
        // With one host, as before the fleet: its last listing answered, whatever its breaker says of the last requests.
        List<LMStudioHost> answering = hosts.stream()
                .filter(host -> (hosts.size() == 1 ? host.lastListing().succeeded() : host.healthy()) && host.availableModels().known()).toList();
        if (answering.isEmpty()) {
            return; // nothing to place on; the next listing that answers checks again
        }
        List<LMStudioHost> canLoad = answering.stream().filter(host -> host.availableModels().api().canLoad()).toList();
        if (canLoad.isEmpty()) {
            warnOnce("*", "lmstudio.keep-models-warm is set, but " + (answering.size() == 1 ? "the server lists" : "no host lists")
                    + " its models through " + answering.get(0).availableModels().api().path() + " and has no load API (LM Studio 0.4 or later):"
                    + " the sidecar cannot keep models loaded there.");
            return;
        }
        for (String model : models) {
            keep(model, answering, canLoad);
        }
    }

    private void keep(String model, List<LMStudioHost> answering, List<LMStudioHost> canLoad) {
        int warm = 0;
        List<LMStudioHost> notLoaded = new ArrayList<>();
        boolean listed = false;
        for (LMStudioHost host : answering) {
            var found = host.availableModels().find(model);
            if (found.isEmpty()) {
                continue;
            }
            listed = true;
            if (found.get().state() != LoadState.NOT_LOADED || loading.contains(host.name() + " " + model)) {
                warm++;
            } else if (canLoad.contains(host)) {
                notLoaded.add(host);
            }
        }
        if (!listed) {
            warnOnce(model, "Kept-warm model " + model + " is not on " + (fleet.several() ? "any LM Studio host" : "LM Studio")
                    + "; download it with `lms get " + model + "`.");
            return;
        }
        List<LMStudioHost> byMemory = Placement.byFreeMemory(notLoaded, directory.catalog());
        for (int i = 0; i < Math.min(replicas - warm, byMemory.size()); i++) {
            load(byMemory.get(i), model);
        }
    }

    private void load(LMStudioHost host, String model) {
        String pair = host.name() + " " + model;
        if (!loading.add(pair)) {
            return;
        }
        host.loader().load(model, OptionalInt.empty()).onComplete(loaded -> {
            loading.remove(pair);
            String where = fleet.several() ? " on " + host.name() : "";
            if (loaded.succeeded()) {
                warned.remove(model);
                LOG.infof("Kept-warm model %s was not loaded%s; loaded it", model, where);
            } else {
                warnOnce(model, "Cannot load kept-warm model " + model + where + ": " + loaded.cause().getMessage()
                        + " (trying again after the next listing)");
            }
        });
    }

    private void warnOnce(String key, String message) {
        if (warned.add(key)) {
            LOG.warn(message);
        }
    }
}
