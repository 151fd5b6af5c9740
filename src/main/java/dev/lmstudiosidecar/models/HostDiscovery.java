package dev.lmstudiosidecar.models;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailureException;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioRestApi;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Knows which models one LM Studio host has and which are loaded: lists them every
 * {@code health-check-interval}, and on demand. The richest listing the server answers is found
 * once (LM Studio 0.4, else 0.3, else the plain OpenAI one) and remembered. It is looked for anew
 * when the server may have changed: after it was unreachable (restarted, perhaps upgraded), when the
 * remembered listing stops answering, and when an operator asks ({@link #rediscover()}). Refreshes
 * are single-flight: whoever asks while one is under way gets that one.
 */
public class HostDiscovery {

    private static final Logger LOG = Logger.getLogger(HostDiscovery.class);

    private final Vertx vertx;
    private final LMStudioRestApi rest;
    private final Clock clock;
    private final long intervalMillis;
    private final long minIntervalNanos;
    private final List<Consumer<ModelInventory>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<ListingOutcome>> outcomeListeners = new CopyOnWriteArrayList<>();
    /** How the last listing ended, for a listener that comes after it. */
    private volatile ListingOutcome lastOutcome;

    private volatile ModelInventory inventory = ModelInventory.unknown();
    private volatile DiscoveryApi remembered;
    private volatile long lastStartedNanos = Long.MIN_VALUE;
    /** The refresh under way, or null; guarded by {@code this}. */
    private Future<ModelInventory> refreshing;
    /**
     * What the sidecar itself changed (a load, an unload) and when, by model key; guarded by
     * {@code this}. A listing that read LM Studio before such a change must not undo it when it
     * comes in after it: a model shown loaded again after its unload invites the JIT race.
     */
    private final Map<String, LocalChange> localChanges = new HashMap<>();

    private record LocalChange(DiscoveredModel model, long atNanos) {
    }
    /** The last problem logged, so that a server that stays down is reported once, not every interval. */
    private volatile String lastProblem;
    /** The API of the last inventory published, for the log: a listing through the same API is no news. */
    private volatile DiscoveryApi lastPublishedApi;
    private long timer = -1;
    /**
     * While the last listing found nothing listening (LM Studio restarting, most likely), the next one comes after
     * {@code health-check.down-interval} rather than the interval: calls go through within seconds of its return.
     */
    private final long downIntervalMillis;
    private long downRecheck = -1;
    private boolean stopped;

    public HostDiscovery(Vertx vertx, LMStudioRestApi rest, LMStudioConfig config) {
        this.vertx = vertx;
        this.rest = rest;
        this.clock = Clock.systemUTC();
        this.intervalMillis = config.healthCheckInterval().toMillis();
        this.minIntervalNanos = config.discoveryMinInterval().toNanos();
        this.downIntervalMillis = Math.max(1, Math.min(config.healthCheck().downInterval().toMillis(), intervalMillis));
        if (config.healthCheck().downInterval().toMillis() < 1) {
            throw new ConfigurationException("lmstudio.health-check.down-interval must be at least 1ms (given "
                    + config.healthCheck().downInterval() + ")");
        }
        if (intervalMillis < 1 || minIntervalNanos < 0) {
            // A periodic timer of 0 ms would list LM Studio's models in a tight loop.
            throw new ConfigurationException("lmstudio.health-check-interval must be at least 1ms and lmstudio.discovery-min-interval"
                    + " at least 0 (given " + config.healthCheckInterval() + " and " + config.discoveryMinInterval() + ")");
        }
    }

    /** Lists now, then every interval; again after {@link #stop()} (a host that comes back). */
    public synchronized void start() {
        if (timer != -1) {
            return;
        }
        stopped = false;
        refresh();
        timer = vertx.setPeriodic(intervalMillis, id -> refresh());
    }

    /** No listing starts after this; one under way ends by its own bound. */
    public synchronized void stop() {
        stopped = true;
        vertx.cancelTimer(timer);
        vertx.cancelTimer(downRecheck);
        timer = -1;
        downRecheck = -1;
    }

    /** Lists again after {@link #downIntervalMillis}, once however many listings found nothing listening meanwhile. */
    private synchronized void recheckSoon() {
        if (stopped || downRecheck != -1) {
            return;
        }
        downRecheck = vertx.setTimer(downIntervalMillis, id -> {
            synchronized (this) {
                downRecheck = -1;
            }
            refresh();
        });
    }

    /** The latest listing; {@link ModelInventory#unknown()} until one succeeded. */
    public ModelInventory inventory() {
        return inventory;
    }

    /** Why the last listing failed, where, when it did; empty once one succeeds again. */
    public Optional<String> lastProblem() {
        return Optional.ofNullable(lastProblem).map(problem -> "Cannot list the models at " + rest.backend().openAiBase() + ": " + problem);
    }

    /** Called with each new inventory a refresh produces (on an event loop: keep it short). */
    public void onRefresh(Consumer<ModelInventory> listener) {
        listeners.add(listener);
    }

    /**
     * Called with the outcome of every listing, success or failure, periodic or on demand, and at
     * once with the last one if there was one (so a listener registered late misses nothing; it
     * may see that one twice). On an event loop: keep it short.
     */
    public void onListingOutcome(Consumer<ListingOutcome> listener) {
        outcomeListeners.add(listener);
        ListingOutcome last = lastOutcome;
        if (last != null) {
            tell(listener, last);
        }
    }

    /** Lists the models now, or joins the listing already under way. */
    public synchronized Future<ModelInventory> refresh() {
        if (refreshing != null) {
            return refreshing;
        }
        long startedNanos = System.nanoTime();
        lastStartedNanos = startedNanos;
        Promise<ModelInventory> done = Promise.promise();
        refreshing = done.future();
        DiscoveryApi known = remembered;
        Future<ModelInventory> listing = known != null
                ? list(known).recover(failure -> isMissingListing(failure) ? detect(0) : Future.failedFuture(failure))
                : detect(0);
        listing.onComplete(result -> {
            synchronized (this) {
                refreshing = null;
            }
            long tookMillis = (System.nanoTime() - startedNanos) / 1_000_000;
            // Outcomes are told before the caller hears of the listing: whoever asked for it (an operator's
            // refresh) then finds the health checks' view up to date.
            if (result.succeeded()) {
                ModelInventory published = publish(result.result(), startedNanos);
                tellAll(ListingOutcome.listed(clock.instant(), tookMillis, published));
                done.complete(published);
            } else {
                if (isUnreachable(result.cause())) {
                    remembered = null; // whatever answers next may be another server, or another version
                }
                report(result.cause());
                ListingOutcome failed = ListingOutcome.failed(clock.instant(), tookMillis, UpstreamFailureException.of(rest.backend(), result.cause()));
                if (failed.nothingListens()) {
                    recheckSoon();
                }
                tellAll(failed);
                done.fail(result.cause());
            }
        });
        return done.future();
    }

    /**
     * A listing that starts now or later: the one under way may have read the server before the
     * caller's question arose, so the caller then gets the next one.
     */
    public synchronized Future<ModelInventory> freshListing() {
        return refreshing == null ? refresh() : refreshing.transform(previous -> refresh());
    }

    /** A refresh that looks for the richest listing again first, as after a server upgrade. */
    public synchronized Future<ModelInventory> rediscover() {
        if (refreshing != null) {
            return refreshing.transform(previous -> rediscover()); // that one may use the remembered listing
        }
        remembered = null;
        return refresh();
    }

    /**
     * For a request naming a model the last listing did not have: a fresh listing, unless one was
     * started less than {@code discovery-min-interval} ago (then empty), so that clients asking for
     * a model that does not exist cannot turn every request into a listing.
     */
    public Optional<Future<ModelInventory>> refreshIfDue() {
        if (System.nanoTime() - lastStartedNanos < minIntervalNanos) {
            synchronized (this) {
                return Optional.ofNullable(refreshing);
            }
        }
        return Optional.of(refresh());
    }

    /** Takes in what the sidecar itself changed (a load, an unload), without waiting for the next listing. */
    public synchronized void update(DiscoveredModel changed) {
        if (inventory.known()) {
            inventory = inventory.with(changed);
        }
        localChanges.put(changed.key(), new LocalChange(changed, System.nanoTime()));
    }

    /** Tries the listings from {@code from} on, richest first; one the server does not have is skipped. */
    private Future<ModelInventory> detect(int from) {
        DiscoveryApi api = DiscoveryApi.values()[from];
        return list(api).recover(failure -> {
            if (isMissingListing(failure) && from + 1 < DiscoveryApi.values().length) {
                return detect(from + 1);
            }
            if (failure instanceof ModelListingParser.UnexpectedListing notAListing) {
                // Not even the plain OpenAI listing: whatever answers is not a model server the sidecar knows.
                return Future.failedFuture(new UpstreamFailureException(new UpstreamFailure(UpstreamFailure.Kind.SERVER_ERROR,
                        rest.backend(), 200, notAListing.getMessage(), null, null)));
            }
            return Future.failedFuture(failure);
        });
    }

    private Future<ModelInventory> list(DiscoveryApi api) {
        return rest.list(api).compose(root -> {
            try {
                return Future.succeededFuture(ModelInventory.of(api, clock.instant(), ModelListingParser.parse(api, root)));
            } catch (ModelListingParser.UnexpectedListing notThisListing) {
                return Future.failedFuture(notThisListing);
            }
        });
    }

    /** The server answered, but not with this listing: it is an older LM Studio or not LM Studio at all. */
    private static boolean isMissingListing(Throwable failure) {
        if (failure instanceof ModelListingParser.UnexpectedListing) {
            return true;
        }
        if (!(failure instanceof UpstreamFailureException known)) {
            return false;
        }
        UpstreamFailure f = known.failure();
        int status = f.upstreamStatus();
        return f.kind() == UpstreamFailure.Kind.UNKNOWN_ENDPOINT || status == 404 || status == 405 || status == 501;
    }

    private static boolean isUnreachable(Throwable failure) {
        return failure instanceof UpstreamFailureException known && known.failure().kind() == UpstreamFailure.Kind.UNREACHABLE;
    }

    /** Publishes a listing that started at {@code startedNanos}, with the sidecar's own later changes kept. */
    private ModelInventory publish(ModelInventory listed, long startedNanos) {
        ModelInventory fresh = listed;
        synchronized (this) {
            for (Iterator<LocalChange> changes = localChanges.values().iterator(); changes.hasNext(); ) {
                LocalChange change = changes.next();
                if (change.atNanos() - startedNanos < 0) {
                    changes.remove(); // the listing saw it
                } else if (fresh.byKey().containsKey(change.model().key())) {
                    fresh = fresh.with(change.model());
                }
            }
            inventory = fresh;
        }
        remembered = fresh.api();
        if (lastPublishedApi != fresh.api() || lastProblem != null) {
            lastPublishedApi = fresh.api();
            LOG.infof("LM Studio at %s lists %s through %s", rest.backend().openAiBase(), fresh.summary(), fresh.api().path());
        }
        lastProblem = null;
        for (Consumer<ModelInventory> listener : listeners) {
            try {
                listener.accept(fresh);
            } catch (RuntimeException bug) {
                LOG.errorf(bug, "a model inventory listener failed");
            }
        }
        return fresh;
    }

    private void tellAll(ListingOutcome outcome) {
        lastOutcome = outcome;
        for (Consumer<ListingOutcome> listener : outcomeListeners) {
            tell(listener, outcome);
        }
    }

    private static void tell(Consumer<ListingOutcome> listener, ListingOutcome outcome) {
        try {
            listener.accept(outcome);
        } catch (RuntimeException bug) {
            LOG.errorf(bug, "a listing outcome listener failed");
        }
    }

    private void report(Throwable failure) {
        String problem = String.valueOf(failure.getMessage());
        if (!problem.equals(lastProblem)) {
            LOG.warnf("Cannot list LM Studio's models at %s: %s (%s; next try in %d ms)", rest.backend().openAiBase(), problem,
                    inventory.known() ? "the last listing stays in use" : "no listing yet", intervalMillis);
            lastProblem = problem;
        }
    }
}
