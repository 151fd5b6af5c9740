package dev.lmstudiosidecar.api;

import io.vertx.core.Vertx;

/**
 * Fires once when nothing happened for {@code timeoutMillis}. {@link #touch()} is a field write,
 * not a timer reset, so a stream of thousands of chunks costs one timer per period, not one per chunk.
 */
final class IdleTimer {

    private final Vertx vertx;
    private long timeoutNanos;
    private final Runnable onIdle;
    private volatile long lastActivity;
    private long timerId = -1;
    private boolean stopped;
    /** Set while the silence is someone else's doing (a client that does not read): it does not count. */
    private boolean held;

    IdleTimer(Vertx vertx, long timeoutMillis, Runnable onIdle) {
        this.vertx = vertx;
        this.timeoutNanos = timeoutMillis * 1_000_000L;
        this.onIdle = onIdle;
    }

    void start() {
        touch();
        schedule(timeoutNanos);
    }

    /**
     * Changes the bound (a stream's first token and its gaps differ). A shorter bound moves the pending
     * check forward: waiting for the check the longer bound scheduled would let a stall run past it.
     */
    void setTimeout(long timeoutMillis) {
        long bound = timeoutMillis * 1_000_000L;
        boolean sooner = bound < timeoutNanos;
        this.timeoutNanos = bound;
        if (sooner && !stopped && timerId >= 0) {
            vertx.cancelTimer(timerId);
            schedule(Math.max(0, timeoutNanos - (System.nanoTime() - lastActivity)));
        }
    }

    void touch() {
        lastActivity = System.nanoTime();
    }

    /** Silence from now on is not idleness, until {@link #release()}. */
    void hold() {
        held = true;
    }

    /** Counts silence again, from now. */
    void release() {
        held = false;
        touch();
    }

    void stop() {
        stopped = true;
        vertx.cancelTimer(timerId);
    }

    private void schedule(long delayNanos) {
        timerId = vertx.setTimer(Math.max(1, delayNanos / 1_000_000L), id -> check());
    }

    private void check() {
        if (stopped) {
            return;
        }
        if (held) {
            schedule(timeoutNanos);
            return;
        }
        long idle = System.nanoTime() - lastActivity;
        if (idle >= timeoutNanos) {
            stopped = true;
            onIdle.run();
        } else {
            schedule(timeoutNanos - idle);
        }
    }
}
