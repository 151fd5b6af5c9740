package dev.lmstudiosidecar.provider.lmstudio;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;

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
    private final ArrayDeque<Promise<Lease>> waiting = new ArrayDeque<>(); // guarded by this
    private int inUse; // guarded by this

    ConnectionPermits(Vertx vertx, int size, int maxWaiting) {
        this.vertx = vertx;
        this.size = size;
        this.maxWaiting = maxWaiting;
    }

    /**
     * One call's hold on a connection. It is given back once the call has ended and so has every
     * HTTP exchange it started: an attempt that Fault Tolerance gave up on (a timeout) goes on on its
     * connection until the client's read timeout ends it, and meanwhile that connection is not free.
     */
    public final class Lease {
        private int exchanges; // guarded by this
        private boolean callEnded; // guarded by this
        private boolean released; // guarded by this

        void exchangeStarted() {
            synchronized (this) {
                exchanges++;
            }
        }

        void exchangeEnded() {
            synchronized (this) {
                exchanges--;
                if (!callEnded || exchanges > 0 || released) {
                    return;
                }
                released = true;
            }
            handOn();
        }

        void callEnded() {
            synchronized (this) {
                callEnded = true;
                if (exchanges > 0 || released) {
                    return;
                }
                released = true;
            }
            handOn();
        }
    }

    /** Completes with a lease on a connection, or fails with {@link NotObtained}. */
    Future<Lease> acquire(Duration maxWait) {
        Promise<Lease> turn = Promise.promise();
        synchronized (this) {
            if (inUse < size) {
                inUse++;
                return Future.succeededFuture(new Lease());
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

    private void handOn() {
        Promise<Lease> next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inUse--;
                return;
            }
        }
        next.complete(new Lease()); // the connection passes on: inUse stays
    }
}
