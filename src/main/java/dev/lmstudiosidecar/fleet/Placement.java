package dev.lmstudiosidecar.fleet;

import dev.lmstudiosidecar.models.CapabilityCatalog;
import dev.lmstudiosidecar.models.DiscoveredModel;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadState;
import dev.lmstudiosidecar.models.ModelInventory;
import dev.lmstudiosidecar.provider.ProviderAdapter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Which hosts a request for a model goes to, best first:
 * <ol>
 *   <li>healthy hosts that have it loaded (or that serve what they list without saying what is loaded, llama-server),
 *       the fewest requests per slot first (waiting ones included), then the heavier weight;</li>
 *   <li>healthy hosts that have it but not loaded, the most free memory first (no budget counts as unbounded), then the
 *       heavier: the first one loads it (one load, the sidecar's or LM Studio's JIT), and every request placed meanwhile
 *       goes there too;</li>
 *   <li>when no host lists it at all, the one least busy healthy host (it answers for itself: JIT, or "no such model");</li>
 *   <li>last, the unhealthy hosts that have it, in case they are back: their breakers refuse fast when they are not.</li>
 * </ol>
 * Hosts that list the model only as a stranger's (not there at all while others have it) are left out.
 */
public final class Placement {

    private Placement() {
    }

    public static <P extends ProviderAdapter> List<P> hostsFor(List<P> hosts, String model, CapabilityCatalog catalog) {
        if (hosts.size() <= 1) {
            return hosts; // nothing to choose: the request goes where it always went (or nowhere, before DNS found a host)
        }
        List<P> loaded = new ArrayList<>();
        List<P> loadable = new ArrayList<>();
        List<P> unhealthy = new ArrayList<>();
        List<P> healthy = new ArrayList<>();
        boolean listedAnywhere = false;
        for (P host : hosts) {
            boolean up = host.healthy();
            if (up) {
                healthy.add(host);
            }
            ModelInventory inventory = host.availableModels();
            Optional<DiscoveredModel> listed = model == null || !inventory.known() ? Optional.empty() : inventory.find(model);
            if (listed.isEmpty()) {
                continue;
            }
            listedAnywhere = true;
            if (!up) {
                unhealthy.add(host);
            } else if (listed.get().state() != LoadState.NOT_LOADED) {
                loaded.add(host);
            } else {
                loadable.add(host); // loaded there on first use: by the sidecar (auto-load), or LM Studio's JIT
            }
        }
        if (!listedAnywhere) {
            // One host, as with one: it answers for itself (JIT, or model_not_found), and a name nobody has does
            // not become a call to every host.
            List<P> from = healthy.isEmpty() ? hosts : healthy;
            return List.of(sorted(from, host -> host.load().perSlot()).get(0));
        }
        List<P> order = new ArrayList<>(sorted(loaded, host -> host.load().perSlot()));
        order.addAll(byFreeMemory(loadable, catalog));
        order.addAll(unhealthy);
        return order;
    }

    /** The most memory free first (no budget counts as unbounded), then the heavier: where a load goes. */
    public static <P extends ProviderAdapter> List<P> byFreeMemory(List<P> hosts, CapabilityCatalog catalog) {
        return sorted(hosts, host -> -host.freeMemoryGB(catalog).orElse(Double.MAX_VALUE));
    }

    /**
     * By {@code key} ascending, then the heavier weight, then the fleet's order (a stable sort). The keys are read once,
     * before sorting: they are live counters, and a sort whose keys move under it breaks its contract.
     */
    private static <P extends ProviderAdapter> List<P> sorted(List<P> hosts, ToDoubleFunction<P> key) {
        record Keyed<H>(H host, double key, double weight) {
        }
        return hosts.stream().map(host -> new Keyed<>(host, key.applyAsDouble(host), host.weight()))
                .sorted(Comparator.comparingDouble((Keyed<P> keyed) -> keyed.key()).thenComparingDouble(keyed -> -keyed.weight()))
                .map(Keyed::host).toList();
    }
}
