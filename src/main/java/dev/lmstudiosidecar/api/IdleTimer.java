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

    IdleTimer(Vertx vertx, long timeoutMillis, Runnable onIdle) {
        this.vertx = vertx;
        this.timeoutNanos = timeoutMillis * 1_000_000L;
        this.onIdle = onIdle;
    }

    void start() {
        touch();
        schedule(timeoutNanos);
    }

    /** Changes the bound from the next check on (a stream's first token and its gaps differ). */
    void setTimeout(long timeoutMillis) {
        this.timeoutNanos = timeoutMillis * 1_000_000L;
    }

    void touch() {
        lastActivity = System.nanoTime();
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
        long idle = System.nanoTime() - lastActivity;
        if (idle >= timeoutNanos) {
            stopped = true;
            onIdle.run();
        } else {
            schedule(timeoutNanos - idle);
        }
    }
}
