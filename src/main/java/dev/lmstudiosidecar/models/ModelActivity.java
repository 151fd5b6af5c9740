package dev.lmstudiosidecar.models;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * When each model was last in use, to tell whether LM Studio may have evicted it without the
 * sidecar seeing it: LM Studio unloads a model after its idle TTL, or when another client asks,
 * and the last listing still shows it loaded. A model is in use while requests are sent to it;
 * it is idle once none is and the last one ended longer than {@code idleAfter} ago. A listing
 * taken because the model was idle counts as a use (its state is known as of then), so that the
 * requests after it go straight on. A model the sidecar never sent a request to counts as last
 * used when the sidecar started.
 *
 * <p>{@link #idle} is asked for every request, so it takes no lock and allocates nothing. An entry
 * is made at a model's first use and kept (its last use must outlive its requests); callers record
 * only listed models, so the table is bounded by them. Thread-safe.
 */
final class ModelActivity {

    private static final class Use {
        final AtomicInteger running = new AtomicInteger();
        /** When a request on it last ended, or a listing last showed its state. */
        volatile long lastKnownNanos;

        Use(long nowNanos) {
            lastKnownNanos = nowNanos; // not idle while its first request is about to be counted
        }
    }

    private final ConcurrentHashMap<String, Use> byKey = new ConcurrentHashMap<>();
    private final long idleAfterNanos;
    private final LongSupplier nanoClock;
    private final long startedNanos;

    ModelActivity(Duration idleAfter, LongSupplier nanoClock) {
        this.idleAfterNanos = idleAfter.toNanos();
        this.nanoClock = nanoClock;
        this.startedNanos = nanoClock.getAsLong();
    }

    /** A request is sent to {@code key}: in use until the matching {@link #ended}. */
    void started(String key) {
        use(key).running.incrementAndGet();
    }

    /** That request is over. */
    void ended(String key) {
        Use use = byKey.get(key);
        if (use != null) {
            // The end is written before the count falls: whoever then sees none running sees this end too.
            use.lastKnownNanos = nanoClock.getAsLong();
            use.running.decrementAndGet();
        }
    }

    /** A listing that started after the model went idle showed its state: as good as a use. */
    void seen(String key) {
        use(key).lastKnownNanos = nanoClock.getAsLong();
    }

    /** Whether no request runs on {@code key} and none ended (nor was its state seen) within {@code idleAfter}. */
    boolean idle(String key) {
        Use use = byKey.get(key);
        if (use != null && use.running.get() > 0) {
            return false;
        }
        long lastUsed = use == null ? startedNanos : use.lastKnownNanos;
        return nanoClock.getAsLong() - lastUsed > idleAfterNanos;
    }

    private Use use(String key) {
        Use use = byKey.get(key); // computeIfAbsent may lock its bin even when the entry exists
        return use != null ? use : byKey.computeIfAbsent(key, k -> new Use(nanoClock.getAsLong()));
    }
}
