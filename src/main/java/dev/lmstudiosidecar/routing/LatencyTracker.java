package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.models.TaskType;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How long each model takes to start answering each task, as observed: an exponentially weighted
 * moving average of the time to the first byte per (model, task). The catalog's latency figures
 * are guesses written down once; this lets the selector replace them with what this machine does.
 *
 * <p>Model names are compared ignoring case, as {@link dev.lmstudiosidecar.models.CapabilityCatalog}
 * compares them, since LM Studio's keys and what clients type differ in case.
 *
 * <p>Thread-safe and lock-free: every event loop records here, and routing reads on the request
 * path. Each pair's average is one immutable value swapped in by compare-and-set.
 */
public final class LatencyTracker {

    /**
     * The weight of the newest observation; the average so far keeps the other 0.8. Small enough
     * that one slow answer (a model paging in, a long prompt) does not swing the ranking, large
     * enough that a lasting change shows within about ten answers (0.8^10 is about 0.11).
     */
    public static final double SMOOTHING = 0.2;

    /**
     * Observations needed before the learned average replaces the catalog's prior. One or two
     * answers say little (the first after a load is often the slowest); until then the prior stands.
     */
    public static final int MIN_OBSERVATIONS = 3;

    /**
     * The most (model, task) pairs tracked. Model names come from requests and LM Studio's listing,
     * so without a bound a stream of distinct names would grow this map without end. Pairs beyond
     * the bound are not tracked at all rather than evicting others: evicting would throw away what
     * was learned about models in use, and an untracked pair loses nothing but falls back to the
     * catalog's prior. With a handful of models times five tasks, the bound is never near.
     */
    public static final int MAX_ENTRIES = 1024;

    private record Key(String model, TaskType task) {}

    /** An average and how many observations made it; immutable, so one CAS replaces both. */
    private record Average(double millis, int count) {

        Average plus(long observed) {
            if (count == 0) {
                return new Average(observed, 1); // the first observation seeds the average
            }
            int next = count == Integer.MAX_VALUE ? count : count + 1;
            return new Average(SMOOTHING * observed + (1 - SMOOTHING) * millis, next);
        }
    }

    private static final Average NONE = new Average(0, 0);

    private final ConcurrentMap<Key, AtomicReference<Average>> averages = new ConcurrentHashMap<>();
    /** Pairs tracked or reserved: a slot is reserved before a pair is added, so the bound holds under races. */
    private final AtomicInteger tracked = new AtomicInteger();

    /** Records that {@code model} took {@code millis} to the first byte of an answer for {@code task}. Negative times are ignored. */
    public void observe(String model, TaskType task, long millis) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(task, "task");
        if (millis < 0) {
            return;
        }
        AtomicReference<Average> average = averageFor(new Key(key(model), task));
        if (average != null) {
            average.updateAndGet(current -> current.plus(millis));
        }
    }

    /** The learned average in milliseconds, once {@link #MIN_OBSERVATIONS} were made; else empty, and the catalog's prior stands. */
    public OptionalDouble learned(String model, TaskType task) {
        Average current = current(model, task);
        return current.count() >= MIN_OBSERVATIONS ? OptionalDouble.of(current.millis()) : OptionalDouble.empty();
    }

    /** How many observations were recorded for the pair (0 for a pair not tracked). */
    public int observations(String model, TaskType task) {
        return current(model, task).count();
    }

    private Average current(String model, TaskType task) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(task, "task");
        AtomicReference<Average> average = averages.get(new Key(key(model), task));
        return average == null ? NONE : average.get();
    }

    /** The pair's average, added if there is room; null when the map is full and the pair is new. */
    private AtomicReference<Average> averageFor(Key key) {
        AtomicReference<Average> existing = averages.get(key);
        if (existing != null) {
            return existing;
        }
        if (!reserveSlot()) {
            return averages.get(key); // another thread may have added it meanwhile
        }
        AtomicReference<Average> fresh = new AtomicReference<>(NONE);
        AtomicReference<Average> raced = averages.putIfAbsent(key, fresh);
        if (raced != null) {
            tracked.decrementAndGet(); // another thread added the pair: its slot counts, not ours
            return raced;
        }
        return fresh;
    }

    private boolean reserveSlot() {
        int now;
        do {
            now = tracked.get();
            if (now >= MAX_ENTRIES) {
                return false;
            }
        } while (!tracked.compareAndSet(now, now + 1));
        return true;
    }

    private static String key(String model) {
        return model.toLowerCase(Locale.ROOT);
    }
}
