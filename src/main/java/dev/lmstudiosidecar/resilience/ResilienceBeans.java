package dev.lmstudiosidecar.resilience;

import dev.lmstudiosidecar.config.LMStudioConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Builds LM Studio's concurrency limiter from config, once, with its gauges. */
public class ResilienceBeans {

    @Produces
    @Singleton
    ConcurrencyLimiter lmStudioLimiter(LMStudioConfig config, Vertx vertx, MeterRegistry metrics) {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(config.maxConcurrentRequests(), config.maxQueuedRequests(),
                config.maxQueueWait().toMillis(), timersOf(vertx));
        Gauge.builder("sidecar.requests.in.flight", limiter, ConcurrencyLimiter::inFlight)
                .description("Requests holding one of LM Studio's slots").register(metrics);
        Gauge.builder("sidecar.requests.queued", limiter, ConcurrencyLimiter::queued)
                .description("Requests waiting for one of LM Studio's slots").register(metrics);
        return limiter;
    }

    /** A limiter's waits, timed by Vert.x. */
    public static ConcurrencyLimiter.Scheduler timersOf(Vertx vertx) {
        return (delay, task) -> {
            long timer = vertx.setTimer(Math.max(1, delay), id -> task.run());
            return () -> vertx.cancelTimer(timer);
        };
    }
}
