package dev.lmstudiosidecar.health;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.models.DiscoveredModel;
import dev.lmstudiosidecar.models.ListingOutcome;
import dev.lmstudiosidecar.models.ModelDiscovery;
import dev.lmstudiosidecar.models.ModelInventory;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.BackendClient;
import dev.lmstudiosidecar.provider.cloud.CloudProvider;
import dev.lmstudiosidecar.fleet.LMStudioFleet;
import dev.lmstudiosidecar.fleet.LMStudioHost;
import dev.lmstudiosidecar.resilience.BackendBreakers;
import dev.lmstudiosidecar.resilience.BreakerDiagnosis;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The seed's health monitor. Every {@code health-check-interval} it checks each backend and keeps
 * the result for the probes and {@code GET /admin/health}, which read it and never call out.
 *
 * <p>LM Studio's check is the model listing discovery makes anyway (every listing, periodic or on
 * demand, is heard of): no second request per interval. After a listing, at most once an interval,
 * the optional one-token test completion. The cloud provider, when configured, is checked with its
 * own {@code GET /models}. Checks also drive LM Studio's circuit breaker: a listing that finds
 * nothing listening opens it at once, so requests fail fast (or fall back) instead of each
 * waiting out its retries; one that finds LM Studio answering closes it at once, so recovery
 * follows the checks rather than the breaker's open duration.
 */
@Singleton
public class HealthMonitor {

    private static final Logger LOG = Logger.getLogger(HealthMonitor.class);

    private final Vertx vertx;
    private final ModelDiscovery discovery;
    private final LMStudioFleet fleet;
    private final BackendBreakers breakers;
    private final HealthSettings settings;
    private final CheckAssessor assessor;
    private final Optional<CloudProbe> cloudProbe;
    private final Optional<Backend> cloud;
    private final Optional<TestCompletion> testCompletion;
    private final long intervalNanos;
    private final AtomicBoolean cloudChecking = new AtomicBoolean();
    private final AtomicBoolean testing = new AtomicBoolean();

    // Guarded by this.
    private ListingOutcome lastListing;
    private TestCompletionResult lastTest;
    private long lastTestStartedNanos;
    private ListingOutcome lastCloudCheck;
    private long cloudTimer = -1;

    private volatile HealthSnapshot snapshot;
    private final List<CheckObserver> observers = new CopyOnWriteArrayList<>();

    /** Told of every check as it ends (on an event loop: keep it short). */
    public interface CheckObserver {
        /** @param backend the backend's name; @param ok whether it answered its check; @param tookMillis how long the check took */
        void checked(String backend, boolean ok, long tookMillis);
    }

    HealthMonitor(Vertx vertx, ModelDiscovery discovery, LMStudioFleet fleet, BackendBreakers breakers, CloudProvider cloudProvider,
                  HealthSettings settings, LMStudioConfig config, ObjectMapper json) {
        this.vertx = vertx;
        this.discovery = discovery;
        this.fleet = fleet;
        this.breakers = breakers;
        this.settings = settings;
        this.assessor = new CheckAssessor(settings.degradedErrorRatio(), settings.errorMinimumCalls());
        this.cloudProbe = cloudProvider.client().map(client -> new CloudProbe(vertx, client, settings.checkTimeout(), json));
        this.cloud = cloudProvider.client().map(BackendClient::backend);
        this.testCompletion = settings.testCompletionModel().map(model -> new TestCompletion(vertx, model, config.connectTimeout(),
                settings.testTimeout(), json));
        this.intervalNanos = settings.interval().toNanos();
        this.snapshot = HealthSnapshot.beforeChecks(Backend.LMSTUDIO, cloud.map(Backend::name));
    }

    synchronized void start(@Observes StartupEvent started) {
        discovery.onListingOutcome(this::onListing);
        fleet.onJoin(host -> host.discovery().onListingOutcome(new BreakerFollower(host.backend())));
        cloudProbe.ifPresent(probe -> {
            checkCloud(probe);
            cloudTimer = vertx.setPeriodic(Math.max(1, settings.interval().toMillis()), id -> checkCloud(probe));
        });
    }

    synchronized void stop(@Observes ShutdownEvent stopping) {
        if (cloudTimer != -1) {
            vertx.cancelTimer(cloudTimer);
            cloudTimer = -1;
        }
        testCompletion.ifPresent(TestCompletion::close);
    }

    public void onCheck(CheckObserver observer) {
        observers.add(observer);
    }

    /** What the last checks found; never waits, never calls out. */
    public HealthSnapshot snapshot() {
        return snapshot;
    }

    private void onListing(ListingOutcome outcome) {
        synchronized (this) {
            // A late listener hears the last outcome again, perhaps after a newer one: the newest wins.
            if (outcome == lastListing || lastListing != null && outcome.finishedAt().isBefore(lastListing.finishedAt())) {
                return;
            }
            lastListing = outcome;
            if (!outcome.succeeded()) {
                lastTest = null; // a test from before the outage says nothing of the server that comes back
            }
        }
        if (outcome.succeeded()) {
            testIfDue(outcome.inventory());
        }
        publish();
    }

    /**
     * One host's listings, its health checks, drive its breaker: failing fast, and recovering, at the speed
     * of the checks rather than of the breaker's window and open duration. Only a listing that follows a
     * failed one proves the host is back: a breaker that opened on failing completions while listings went
     * on answering keeps its own open duration.
     */
    private final class BreakerFollower implements Consumer<ListingOutcome> {
        private final Backend host;
        private ListingOutcome last;

        BreakerFollower(Backend host) {
            this.host = host;
        }

        @Override
        public void accept(ListingOutcome outcome) {
            boolean answeringAgain;
            synchronized (this) {
                // A late listener hears the last outcome again, perhaps after a newer one: the newest wins.
                if (outcome == last || last != null && outcome.finishedAt().isBefore(last.finishedAt())) {
                    return;
                }
                answeringAgain = outcome.succeeded() && last != null && !last.succeeded();
                last = outcome;
            }
            observers.forEach(observer -> observer.checked(host.name(), outcome.succeeded(), outcome.tookMillis()));
            if (outcome.nothingListens()) {
                breakers.openNow(host, outcome.failure()); // discovery lists again within down-interval
            } else if (answeringAgain) {
                breakers.closeNow(host);
            }
            // A timeout or a 5xx is no such proof: the host may be busy loading a model.
        }
    }

    private void testIfDue(ModelInventory inventory) {
        if (testCompletion.isEmpty()) {
            return;
        }
        TestCompletion test = testCompletion.get();
        synchronized (this) {
            // At most once an interval, however many listings requests and operators ask for in between.
            boolean due = lastTest == null || System.nanoTime() - lastTestStartedNanos >= intervalNanos - intervalNanos / 10;
            if (!due || !testing.compareAndSet(false, true)) {
                return;
            }
            lastTestStartedNanos = System.nanoTime();
        }
        // On a host that answers and has the model loaded itself: a completion elsewhere would load it there.
        Optional<LMStudioHost> host = fleet.hosts().stream().filter(LMStudioHost::healthy)
                .filter(candidate -> candidate.availableModels().find(test.model())
                        .filter(model -> model.state() != DiscoveredModel.LoadState.NOT_LOADED).isPresent())
                .findFirst();
        if (host.isEmpty()) {
            tested(test.skipped());
            return;
        }
        test.run(host.get().backend(), host.get().settings().apiKey()).onComplete(result -> tested(result.result()));
    }

    private void tested(TestCompletionResult result) {
        synchronized (this) {
            lastTest = result;
        }
        testing.set(false);
        publish();
    }

    private void checkCloud(CloudProbe probe) {
        if (!cloudChecking.compareAndSet(false, true)) {
            return; // the last check is still under way: it bounds itself
        }
        probe.check().onComplete(checked -> {
            synchronized (this) {
                lastCloudCheck = checked.result();
            }
            ListingOutcome check = checked.result();
            if (check != null) {
                cloud.ifPresent(backend -> observers.forEach(observer -> observer.checked(backend.name(), check.succeeded(), check.tookMillis())));
            }
            cloudChecking.set(false);
            publish();
        });
    }

    /** Assesses what the checks found into a new snapshot; logs a backend whose status changed. */
    private synchronized void publish() {
        HealthSnapshot before = snapshot;
        ProviderHealth lmHealth = before.lmstudio();
        RequiredModels.Evaluation required = null;
        boolean reachable = false;
        if (lastListing != null) {
            reachable = lastListing.succeeded();
            required = reachable ? settings.requiredModels().evaluate(lastListing.inventory()) : null;
            lmHealth = assessor.lmStudio(Backend.LMSTUDIO, lastListing, required, fleetBreaker(),
                    testCompletion.isPresent() ? lastTest : null);
        }
        Optional<ProviderHealth> cloudHealth = cloud.map(backend -> lastCloudCheck == null ? ProviderHealth.unknown(backend.name())
                : assessor.cloud(backend.name(), lastCloudCheck, breakers.diagnosis(backend)));
        HealthSnapshot after = new HealthSnapshot(lmHealth, reachable, required, cloudHealth);
        snapshot = after;
        logChange(before.lmstudio(), after.lmstudio());
        before.cloud().ifPresent(was -> logChange(was, after.cloud().orElseThrow()));
    }

    /** The breaker window that speaks for the fleet: the host's with the fewest failures (one host: its own). */
    private BreakerDiagnosis fleetBreaker() {
        BreakerDiagnosis best = null;
        for (LMStudioHost host : fleet.hosts()) {
            BreakerDiagnosis diagnosis = breakers.diagnosis(host.backend());
            if (best == null || diagnosis.failures() < best.failures()) {
                best = diagnosis;
            }
        }
        return best != null ? best : new BreakerDiagnosis(0, 0, List.of(), 0, 0);
    }

    private static void logChange(ProviderHealth before, ProviderHealth after) {
        if (before.status() == after.status()) {
            return;
        }
        if (after.status() == HealthStatus.HEALTHY) {
            LOG.infof("%s is healthy (was %s)", after.backend(), before.status().wireName());
        } else {
            LOG.warnf("%s is %s (was %s): %s", after.backend(), after.status().wireName(), before.status().wireName(),
                    String.join("; ", after.errors()));
        }
    }
}
