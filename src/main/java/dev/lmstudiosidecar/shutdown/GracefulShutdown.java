package dev.lmstudiosidecar.shutdown;

import dev.lmstudiosidecar.config.SidecarConfig;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * What the sidecar does between SIGTERM and its exit, so that the app beside it loses no answer it was
 * given. At once, readiness goes DOWN ({@link #draining()}) while requests are still served, for
 * {@code sidecar.shutdown.drain-delay}: whoever still sends requests here learns to stop. Then new requests
 * are refused with a 503 ({@link #refusing()}) and the ones in flight, streams included, may finish until
 * {@code sidecar.shutdown.grace-period} after the signal. Whatever still runs then is ended the way a
 * client can understand: a stream with an SSE error event, an answer not yet begun with a 503. Only then
 * does Quarkus stop the rest (the HTTP servers, the cache, the health monitor).
 *
 * <p>It runs on the thread that handles the signal, which it may block: the event loops go on serving meanwhile.
 */
@Singleton
public class GracefulShutdown {

    private static final Logger LOG = Logger.getLogger(GracefulShutdown.class);
    /** What the last words to unfinished requests may take to reach them before the servers close. */
    static final long LAST_WORDS_MILLIS = 1_000;
    private static final long POLL_MILLIS = 20;

    /** A request the shutdown waits for and, at the deadline, ends. */
    public interface InFlight {
        /** The grace period is over: end the answer as well as can be said (called from any thread). */
        void endForShutdown();
    }

    private enum Phase { SERVING, DRAINING, REFUSING }

    private final long drainDelayMillis;
    private final long gracePeriodMillis;
    private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();
    private volatile Phase phase = Phase.SERVING;

    @Inject
    GracefulShutdown(SidecarConfig config) {
        this(config.shutdown().drainDelay(), config.shutdown().gracePeriod());
    }

    GracefulShutdown(Duration drainDelay, Duration gracePeriod) {
        if (drainDelay.isNegative() || gracePeriod.isNegative() || gracePeriod.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new ConfigurationException("sidecar.shutdown.drain-delay and grace-period must be between 0 and 10m (given "
                    + drainDelay + ", " + gracePeriod + ")");
        }
        this.drainDelayMillis = Math.min(drainDelay.toMillis(), gracePeriod.toMillis());
        this.gracePeriodMillis = gracePeriod.toMillis();
    }

    /** Since SIGTERM: readiness is DOWN. */
    public boolean draining() {
        return phase != Phase.SERVING;
    }

    /** Since the drain delay ended: new requests are refused. */
    public boolean refusing() {
        return phase == Phase.REFUSING;
    }

    public long gracePeriodMillis() {
        return gracePeriodMillis;
    }

    public void started(InFlight request) {
        inFlight.add(request);
    }

    public void ended(InFlight request) {
        inFlight.remove(request);
    }

    /**
     * Quarkus' first step of stopping (with {@code quarkus.shutdown.delay-enabled}), while its HTTP servers still
     * serve: by the {@code ShutdownEvent}, they have closed every connection, streams and all.
     */
    void onShutdown(@Observes @Priority(1) ShutdownDelayInitiatedEvent stopping) {
        drain();
    }

    /** The whole sequence; returns when nothing is in flight, or the grace period and the last words are over. */
    void drain() {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(gracePeriodMillis);
        phase = Phase.DRAINING;
        LOG.infof("Shutting down: readiness is DOWN; requests are served for %d ms more, then %d in flight may finish "
                + "within %d ms of the signal (sidecar.shutdown.drain-delay, grace-period)", drainDelayMillis, inFlight.size(), gracePeriodMillis);
        sleepUntil(start + TimeUnit.MILLISECONDS.toNanos(drainDelayMillis));
        phase = Phase.REFUSING;
        if (awaitNoneInFlight(deadline)) {
            LOG.infof("Shutting down: every request finished, %d ms after the signal", elapsedMillis(start));
            return;
        }
        int unfinished = inFlight.size();
        inFlight.forEach(InFlight::endForShutdown);
        awaitNoneInFlight(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LAST_WORDS_MILLIS));
        LOG.warnf("Shutting down: %d request(s) still running at the end of sidecar.shutdown.grace-period (%d ms) were ended "
                + "with an error (streams with an SSE error event)", unfinished, gracePeriodMillis);
    }

    private boolean awaitNoneInFlight(long deadlineNanos) {
        while (!inFlight.isEmpty()) {
            if (System.nanoTime() >= deadlineNanos) {
                return false;
            }
            sleepUntil(Math.min(deadlineNanos, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS)));
        }
        return true;
    }

    private static void sleepUntil(long nanos) {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
