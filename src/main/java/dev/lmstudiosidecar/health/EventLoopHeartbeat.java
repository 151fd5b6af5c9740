package dev.lmstudiosidecar.health;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * A task on each Vert.x event loop that stamps the time every fraction of
 * {@code sidecar.liveness.max-event-loop-block}: a loop that cannot run it is blocked, and the
 * liveness check sees its stamp grow old. The tasks are Netty's own scheduled tasks on the loops
 * (cheap, no Vert.x context needed), all cancelled at shutdown.
 */
@Singleton
public class EventLoopHeartbeat {

    private static final Logger LOG = Logger.getLogger(EventLoopHeartbeat.class);
    /** Stamps often enough that a healthy loop is never near the bound, rarely enough to cost nothing. */
    private static final long MIN_PERIOD_MILLIS = 10;
    private static final long MAX_PERIOD_MILLIS = 1_000;

    private final Vertx vertx;
    private final long boundNanos;
    private final long periodMillis;
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private volatile EventLoopStamps stamps;

    EventLoopHeartbeat(Vertx vertx, HealthSettings settings) {
        this.vertx = vertx;
        this.boundNanos = settings.maxEventLoopBlock().toNanos();
        this.periodMillis = Math.max(MIN_PERIOD_MILLIS, Math.min(MAX_PERIOD_MILLIS, settings.maxEventLoopBlock().toMillis() / 4));
    }

    synchronized void start(@Observes StartupEvent started) {
        if (!(vertx instanceof VertxInternal internal)) {
            LOG.warn("Vert.x does not expose its event loops here: liveness cannot watch them for blocking");
            return;
        }
        List<EventExecutor> loops = new ArrayList<>();
        internal.getEventLoopGroup().forEach(loops::add);
        EventLoopStamps watched = new EventLoopStamps(loops.size(), System.nanoTime());
        for (int i = 0; i < loops.size(); i++) {
            int loop = i;
            // With a fixed delay, a loop that was blocked stamps once when it is free again, not once per missed period.
            tasks.add(loops.get(i).scheduleWithFixedDelay(() -> watched.stamp(loop, System.nanoTime(), Thread.currentThread().getName()),
                    0, periodMillis, TimeUnit.MILLISECONDS));
        }
        stamps = watched;
    }

    synchronized void stop(@Observes ShutdownEvent stopping) {
        tasks.forEach(task -> task.cancel(false));
        tasks.clear();
        stamps = null;
    }

    /** How many event loops are watched; 0 before start or when they cannot be. */
    public int loops() {
        EventLoopStamps watched = stamps;
        return watched == null ? 0 : watched.loops();
    }

    public long boundMillis() {
        return boundNanos / 1_000_000;
    }

    /** The loop blocked longest, when that is longer than the bound. */
    public Optional<EventLoopStamps.Stall> stalled() {
        EventLoopStamps watched = stamps;
        return watched == null ? Optional.empty() : watched.stalled(System.nanoTime(), boundNanos);
    }
}
