package dev.lmstudiosidecar.resilience;

import io.vertx.core.Vertx;

/** What the hosts' concurrency limiters share. */
public final class LimiterTimers {

    private LimiterTimers() {
    }

    /** A limiter's waits, timed by Vert.x. */
    public static ConcurrencyLimiter.Scheduler timersOf(Vertx vertx) {
        return (delay, task) -> {
            long timer = vertx.setTimer(Math.max(1, delay), id -> task.run());
            return () -> vertx.cancelTimer(timer);
        };
    }
}
