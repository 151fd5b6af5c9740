package dev.lmstudiosidecar.health;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last time each event loop ran a task of its own: a loop whose stamp is older than the bound
 * has been blocked (or starved) that long, and the sidecar behind it no longer answers in time.
 * Thread-safe: each loop writes its own slot, any thread reads.
 */
public final class EventLoopStamps {

    /** The loop whose stamp is oldest, and how old it is. */
    public record Stall(String loop, long millis) {
    }

    private final AtomicLongArray stamps;
    private final AtomicReferenceArray<String> names;

    /** @param nowNanos the time every loop counts as stamped at first */
    public EventLoopStamps(int loops, long nowNanos) {
        if (loops < 1) {
            throw new IllegalArgumentException("at least one event loop");
        }
        this.stamps = new AtomicLongArray(loops);
        this.names = new AtomicReferenceArray<>(loops);
        for (int i = 0; i < loops; i++) {
            stamps.set(i, nowNanos);
            names.set(i, "event loop " + i);
        }
    }

    public int loops() {
        return stamps.length();
    }

    /** Loop {@code loop} ran at {@code nowNanos}, on the thread named {@code thread}. */
    public void stamp(int loop, long nowNanos, String thread) {
        stamps.set(loop, nowNanos);
        names.lazySet(loop, thread);
    }

    /** The oldest stamp, when it is older than {@code boundNanos} at {@code nowNanos}. */
    public Optional<Stall> stalled(long nowNanos, long boundNanos) {
        int oldest = 0;
        for (int i = 1; i < stamps.length(); i++) {
            // Subtraction, not comparison: nanoTime values may overflow.
            if (stamps.get(i) - stamps.get(oldest) < 0) {
                oldest = i;
            }
        }
        long age = nowNanos - stamps.get(oldest);
        return age > boundNanos ? Optional.of(new Stall(names.get(oldest), age / 1_000_000)) : Optional.empty();
    }
}
