package dev.lmstudiosidecar.provider.lmstudio;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The connections of one REST client's pool, handed out in turn: a call takes one before it is
 * sent, so the sidecar knows whether a call that ran out of time ever reached LM Studio (one that
 * waited here did not), and Vert.x's own wait queue stays empty.
 */
final class ConnectionPermits {

    /** Why no permit came, in words that follow "no connection came free": the wait ran out, or too many calls wait already. */
    static final class NotObtained extends RuntimeException {
        NotObtained(String message) {
            super(message, null, false, false);
        }
    }

    private final Vertx vertx;
    private final int size;
    private final int maxWaiting;
    private final ArrayDeque<Promise<Runnable>> waiting = new ArrayDeque<>(); // guarded by this
    private int inUse; // guarded by this

    ConnectionPermits(Vertx vertx, int size, int maxWaiting) {
        this.vertx = vertx;
        this.size = size;
        this.maxWaiting = maxWaiting;
    }

    /** Completes with the release of the permit (run it once the call ended), or fails with {@link NotObtained}. */
    Future<Runnable> acquire(Duration maxWait) {
        Promise<Runnable> turn = Promise.promise();
        synchronized (this) {
            if (inUse < size) {
                inUse++;
                return Future.succeededFuture(release());
            }
            if (waiting.size() >= maxWaiting) {
                return Future.failedFuture(new NotObtained("(all " + size + " are busy and " + maxWaiting + " calls wait already)"));
            }
            waiting.add(turn);
            long timer = vertx.setTimer(Math.max(1, maxWait.toMillis()), id -> {
                synchronized (this) {
                    if (!waiting.remove(turn)) {
                        return; // its turn came meanwhile
                    }
                }
                turn.fail(new NotObtained("within " + maxWait.toMillis() + " ms"));
            });
            turn.future().onSuccess(obtained -> vertx.cancelTimer(timer));
        }
        return turn.future();
    }

    private Runnable release() {
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                handOn();
            }
        };
    }

    private void handOn() {
        Promise<Runnable> next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inUse--;
                return;
            }
        }
        next.complete(release()); // the permit passes on: inUse stays
    }
}
