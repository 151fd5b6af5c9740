package dev.lmstudiosidecar.fleet;

import dev.lmstudiosidecar.models.DiscoveredModel;
import dev.lmstudiosidecar.models.ModelActionRefused;
import dev.lmstudiosidecar.models.ModelActionRefused.Reason;
import dev.lmstudiosidecar.models.ModelDirectory;
import io.vertx.core.Future;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An operator's load and unload across the fleet ({@code POST /admin/models/{model}/load|unload},
 * {@code ?host=} optional): on the host named; else a load goes where a request for the model would
 * have it loaded ({@link Placement}: where it is loaded already, else the most free memory), and an
 * unload takes the model off every host that has it loaded.
 */
@Singleton
public class FleetModelAdmin {

    /** @param host where it was loaded */
    public record Loaded(LMStudioHost host, DiscoveredModel model) {
    }

    private final LMStudioFleet fleet;
    private final ModelDirectory directory;

    FleetModelAdmin(LMStudioFleet fleet, ModelDirectory directory) {
        this.fleet = fleet;
        this.directory = directory;
    }

    public Future<Loaded> load(String model, OptionalInt contextLength, Optional<String> hostName) {
        LMStudioHost host;
        try {
            host = hostName.isPresent() ? named(hostName.get()) : Placement.hostsFor(fleet.hosts(), model, directory.catalog()).stream()
                    .findFirst().orElseThrow(FleetModelAdmin::noHost);
        } catch (ModelActionRefused refused) {
            return Future.failedFuture(refused);
        }
        return host.loadModel(model, contextLength).map(loaded -> new Loaded(host, loaded));
    }

    /**
     * @param instances the instance ids unloaded, by host, in the fleet's order
     * @param failed    why the unload failed on the other hosts it was tried on
     */
    public record Unloaded(Map<String, List<String>> instances, Map<String, String> failed) {
    }

    /** On every host at once; fails only when it failed on every host (with one host: as that host's unload fails). */
    public Future<Unloaded> unload(String model, Optional<String> hostName) {
        List<LMStudioHost> hosts;
        try {
            hosts = hostName.isPresent() ? List.of(named(hostName.get())) : loadedOn(model);
        } catch (ModelActionRefused refused) {
            return Future.failedFuture(refused);
        }
        List<Future<List<String>>> unloads = hosts.stream().map(host -> host.unloadModel(model)).toList();
        return Future.join(new ArrayList<>(unloads)).transform(done -> {
            Map<String, List<String>> instances = new LinkedHashMap<>();
            Map<String, String> failed = new LinkedHashMap<>();
            for (int i = 0; i < hosts.size(); i++) {
                Future<List<String>> unload = unloads.get(i);
                if (unload.succeeded()) {
                    instances.put(hosts.get(i).name(), unload.result());
                } else {
                    failed.put(hosts.get(i).name(), String.valueOf(unload.cause().getMessage()));
                }
            }
            return instances.isEmpty() ? Future.failedFuture(unloads.get(0).cause()) : Future.succeededFuture(new Unloaded(instances, failed));
        });
    }

    /** The hosts whose last listing has {@code model} (or the instance it names) loaded; with one host, that host. */
    private List<LMStudioHost> loadedOn(String model) {
        List<LMStudioHost> hosts = fleet.hosts();
        if (hosts.size() <= 1) {
            if (hosts.isEmpty()) {
                throw noHost();
            }
            return hosts; // one host says for itself what it has
        }
        List<LMStudioHost> loaded = new ArrayList<>();
        for (LMStudioHost host : hosts) {
            if (host.availableModels().find(model).filter(DiscoveredModel::loaded).isPresent()) {
                loaded.add(host);
            }
        }
        if (loaded.isEmpty()) {
            throw new ModelActionRefused(Reason.NOT_LOADED, model + " is not loaded on any LM Studio host (as last listed).");
        }
        return loaded;
    }

    private LMStudioHost named(String name) {
        return fleet.host(name).orElseThrow(() -> new ModelActionRefused(Reason.UNKNOWN_HOST, "There is no LM Studio host '" + name
                + "'; GET /admin/hosts lists them: " + fleet.hosts().stream().map(LMStudioHost::name).toList() + "."));
    }

    private static ModelActionRefused noHost() {
        return new ModelActionRefused(Reason.NO_HOST, "No LM Studio host is known yet (lmstudio.hosts-dns has found none). Retry shortly.");
    }
}
