package dev.lmstudiosidecar.models;

import dev.lmstudiosidecar.fleet.LMStudioFleet;
import dev.lmstudiosidecar.fleet.LMStudioHost;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import io.vertx.core.Future;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The models of the whole fleet, as one inventory: each host's discovery ({@link HostDiscovery})
 * merged ({@link ModelInventory#merge}). With one host, that host's inventory as it is. Its listing
 * outcomes are the fleet's: a success while any host's last listing succeeded, listing the models
 * of the hosts that answered, so that readiness asks "is the model loaded on a host that answers".
 */
@Singleton
public class ModelDiscovery {

    private static final Logger LOG = Logger.getLogger(ModelDiscovery.class);

    private final LMStudioFleet fleet;
    private final List<Consumer<ListingOutcome>> outcomeListeners = new CopyOnWriteArrayList<>();
    /** Each host's last outcome; guarded by this. */
    private final Map<LMStudioHost, ListingOutcome> lastOutcomes = new IdentityHashMap<>();
    private volatile ListingOutcome lastOutcome;
    private volatile Merged merged = new Merged(List.of(), ModelInventory.unknown());

    /** @param from the host inventories it was merged from, by identity: a host's new listing makes it stale */
    private record Merged(List<ModelInventory> from, ModelInventory inventory) {
    }

    ModelDiscovery(LMStudioFleet fleet) {
        this.fleet = fleet;
        fleet.onJoin(host -> host.discovery().onListingOutcome(outcome -> hostListed(host, outcome)));
        fleet.onLeave(this::hostLeft);
    }

    /** The fleet's models: every host's listing merged; unknown until one succeeded. */
    public ModelInventory inventory() {
        List<LMStudioHost> hosts = fleet.hosts();
        if (hosts.size() == 1) {
            return hosts.get(0).discovery().inventory(); // the common case costs nothing
        }
        Merged current = merged;
        if (current.from().size() == hosts.size()) {
            boolean same = true;
            for (int i = 0; i < hosts.size() && same; i++) {
                same = current.from().get(i) == hosts.get(i).discovery().inventory();
            }
            if (same) {
                return current.inventory();
            }
        }
        List<ModelInventory> from = hosts.stream().map(host -> host.discovery().inventory()).toList();
        Merged fresh = new Merged(from, ModelInventory.merge(from));
        merged = fresh;
        return fresh.inventory();
    }

    /** Why hosts cannot be listed; empty when every one was at its last listing. */
    public Optional<String> lastProblem() {
        List<String> problems = fleet.hosts().stream().map(host -> host.discovery().lastProblem()).flatMap(Optional::stream).toList();
        if (problems.isEmpty() && fleet.hosts().isEmpty() && fleet.several()) {
            return Optional.of("lmstudio.hosts-dns has found no LM Studio host yet");
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
    }

    /**
     * Called with the fleet's outcome of every host's listing, and at once with the last one if there was one (a
     * listener registered late misses nothing). On an event loop: keep it short.
     */
    public void onListingOutcome(Consumer<ListingOutcome> listener) {
        outcomeListeners.add(listener);
        ListingOutcome last = lastOutcome;
        if (last != null) {
            tell(listener, last);
        }
    }

    /** Lists every host now (a listing under way is joined); fails only when every host failed. */
    public Future<ModelInventory> rediscover() {
        List<LMStudioHost> hosts = fleet.hosts();
        if (hosts.size() == 1) {
            return hosts.get(0).discovery().rediscover();
        }
        List<Future<ModelInventory>> listings = hosts.stream().map(host -> host.discovery().rediscover()).toList();
        return Future.join(new ArrayList<>(listings)).transform(done -> {
            if (listings.stream().anyMatch(Future::succeeded) || listings.isEmpty()) {
                return Future.succeededFuture(inventory());
            }
            return Future.failedFuture(listings.get(0).cause());
        });
    }

    /**
     * The fleet's outcome without the host that left: readiness must not go on counting the models of a host that is
     * gone, nor stay UP when no host is left (DNS found none), since no listing would come to say otherwise.
     */
    private void hostLeft(LMStudioHost host) {
        ListingOutcome fleetOutcome;
        synchronized (this) {
            lastOutcomes.remove(host);
            Instant now = Instant.now();
            fleetOutcome = lastOutcomes.isEmpty()
                    ? ListingOutcome.failed(now, 0, new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, fleet.placeholderBackend(), 0,
                            "no LM Studio host is left (lmstudio.hosts-dns resolves to no address)", null, null))
                    : fleetOutcome(now);
        }
        publish(fleetOutcome);
    }

    private void hostListed(LMStudioHost host, ListingOutcome outcome) {
        ListingOutcome fleetOutcome;
        synchronized (this) {
            if (fleet.host(host.name()).orElse(null) != host) {
                return; // it left
            }
            lastOutcomes.put(host, outcome);
            fleetOutcome = fleet.hosts().size() == 1 ? outcome : fleetOutcome(outcome.finishedAt());
        }
        publish(fleetOutcome);
    }

    private void publish(ListingOutcome fleetOutcome) {
        lastOutcome = fleetOutcome;
        outcomeListeners.forEach(listener -> tell(listener, fleetOutcome));
    }

    /** A success listing the hosts that answered when any did; else the failure of the first host. Guarded by this; needs one outcome. */
    private ListingOutcome fleetOutcome(Instant at) {
        List<ModelInventory> answered = new ArrayList<>();
        long took = 0;
        UpstreamFailure firstFailure = null;
        for (LMStudioHost host : fleet.hosts()) {
            ListingOutcome last = lastOutcomes.get(host);
            if (last == null) {
                continue;
            }
            took = Math.max(took, last.tookMillis());
            if (last.succeeded()) {
                answered.add(last.inventory());
            } else if (firstFailure == null) {
                firstFailure = last.failure();
            }
        }
        if (!answered.isEmpty()) {
            return ListingOutcome.listed(at, took, ModelInventory.merge(answered));
        }
        if (fleet.hosts().size() > 1) {
            String all = lastOutcomes.entrySet().stream().filter(e -> !e.getValue().succeeded())
                    .map(e -> e.getKey().name() + ": " + e.getValue().failure().message()).collect(Collectors.joining("; "));
            firstFailure = new UpstreamFailure(firstFailure.kind(), firstFailure.backend(), firstFailure.upstreamStatus(),
                    "no LM Studio host answered (" + all + ")", firstFailure.code(), firstFailure.param());
        }
        return ListingOutcome.failed(at, took, firstFailure); // the host just heard of has an outcome: one of the two
    }

    private static void tell(Consumer<ListingOutcome> listener, ListingOutcome outcome) {
        try {
            listener.accept(outcome);
        } catch (RuntimeException bug) {
            LOG.errorf(bug, "a listing outcome listener failed");
        }
    }
}
