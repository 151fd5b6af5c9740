package dev.lmstudiosidecar.resilience;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * At most {@code permits} requests in flight to a backend; the next ones wait in a bounded FIFO
 * queue for at most {@code maxWaitMillis}. Nothing waits for ever and nothing waits unbounded:
 * a full queue or an expired wait is a {@link Rejection} the caller turns into a 429.
 *
 * <p>Plain Java and thread-safe. Callbacks run on whichever thread grants or rejects (the
 * releasing thread or the scheduler's): callers that live on an event loop hop back to it.
 */
public final class ConcurrencyLimiter {

    /** Why a request got no permit. */
    public enum Rejection { QUEUE_FULL, WAIT_TIMED_OUT }

    /** Runs a task later; returns a handle that cancels it. */
    @FunctionalInterface
    public interface Scheduler {
        Runnable schedule(long delayMillis, Runnable task);
    }

    private final int permits;
    private final int maxQueued;
    private final long maxWaitMillis;
    private final Scheduler scheduler;
    private final Deque<Waiter> queue = new ArrayDeque<>();
    private int inFlight;

    public ConcurrencyLimiter(int permits, int maxQueued, long maxWaitMillis, Scheduler scheduler) {
        if (permits < 1 || maxQueued < 0 || maxWaitMillis < 0) {
            throw new IllegalArgumentException("permits must be >= 1, the queue and the wait >= 0");
        }
        this.permits = permits;
        this.maxQueued = maxQueued;
        this.maxWaitMillis = maxWaitMillis;
        this.scheduler = scheduler;
    }

    /**
     * Asks for a permit. Exactly one of the callbacks runs, unless the returned waiter is
     * cancelled first. The granted permit must be released once the request is over.
     */
    public Waiter acquire(Consumer<Permit> onGranted, Consumer<Rejection> onRejected) {
        Waiter waiter = new Waiter(onGranted, onRejected);
        Rejection rejection = null;
        synchronized (this) {
            if (inFlight < permits && queue.isEmpty()) {
                inFlight++;
                waiter.granted = new Permit();
            } else if (queue.size() >= maxQueued) {
                rejection = Rejection.QUEUE_FULL;
            } else {
                queue.addLast(waiter);
            }
        }
        if (waiter.granted != null) {
            onGranted.accept(waiter.granted);
        } else if (rejection != null) {
            onRejected.accept(rejection);
        } else {
            waiter.timer = scheduler.schedule(maxWaitMillis, () -> waiter.expire());
        }
        return waiter;
    }

    public synchronized int inFlight() {
        return inFlight;
    }

    public synchronized int queued() {
        return queue.size();
    }

    private void release() {
        Waiter next;
        synchronized (this) {
            next = queue.pollFirst();
            if (next == null) {
                inFlight--;
                return;
            }
            next.granted = new Permit(); // the permit passes straight on: inFlight stays the same
        }
        next.cancelTimer();
        next.onGranted.accept(next.granted);
    }

    /** A request waiting for, or holding, a permit. */
    public final class Waiter {
        private final Consumer<Permit> onGranted;
        private final Consumer<Rejection> onRejected;
        private Permit granted; // guarded by the limiter
        private volatile Runnable timer;

        private Waiter(Consumer<Permit> onGranted, Consumer<Rejection> onRejected) {
            this.onGranted = onGranted;
            this.onRejected = onRejected;
        }

        /** The caller went away: leave the queue, or give back the permit already granted. */
        public void cancel() {
            Permit permit;
            synchronized (ConcurrencyLimiter.this) {
                if (queue.remove(this)) {
                    permit = null;
                } else {
                    permit = granted;
                }
            }
            cancelTimer();
            if (permit != null) {
                permit.release();
            }
        }

        private void expire() {
            boolean removed;
            synchronized (ConcurrencyLimiter.this) {
                removed = queue.remove(this);
            }
            if (removed) {
                onRejected.accept(Rejection.WAIT_TIMED_OUT);
            }
        }

        private void cancelTimer() {
            Runnable cancel = timer;
            if (cancel != null) {
                cancel.run();
            }
        }
    }

    /** The right to have one request in flight; released once, however often it is called. */
    public final class Permit {
        private boolean released; // guarded by the limiter

        public void release() {
            synchronized (ConcurrencyLimiter.this) {
                if (released) {
                    return;
                }
                released = true;
            }
            ConcurrencyLimiter.this.release();
        }
    }
}
