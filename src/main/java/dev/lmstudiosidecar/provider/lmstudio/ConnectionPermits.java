package dev.lmstudiosidecar.provider.lmstudio;

import dev.lmstudiosidecar.resilience.ConcurrencyLimiter;
import dev.lmstudiosidecar.resilience.LimiterTimers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * The connections of one REST client's pool, handed out in turn by a {@link ConcurrencyLimiter}: a
 * call takes one before it is sent, so the sidecar knows whether a call that ran out of time ever
 * reached LM Studio (one that waited here did not), and Vert.x's own wait queue stays empty.
 */
final class ConnectionPermits {

    /** Why no permit came, in words that follow "no connection came free": the wait ran out, or too many calls wait already. */
    static final class NotObtained extends RuntimeException {
        NotObtained(String message) {
            super(message, null, false, false);
        }
    }

    private final ConcurrencyLimiter limiter;
    private final int size;
    private final int maxWaiting;
    private final long maxWaitMillis;

    /** @param maxWait bound on a call's wait for a connection */
    ConnectionPermits(Vertx vertx, int size, int maxWaiting, Duration maxWait) {
        this.size = size;
        this.maxWaiting = maxWaiting;
        this.maxWaitMillis = maxWait.toMillis();
        this.limiter = new ConcurrencyLimiter(size, maxWaiting, maxWaitMillis, LimiterTimers.timersOf(vertx));
    }

    /**
     * One call's hold on a connection. It is given back once the call has ended and so has every
     * HTTP exchange it started: an attempt that Fault Tolerance gave up on (a timeout) goes on on its
     * connection until the client's read timeout ends it, and meanwhile that connection is not free.
     */
    public static final class Lease {
        private final ConcurrencyLimiter.Permit permit;
        private int exchanges; // guarded by this
        private boolean callEnded; // guarded by this

        private Lease(ConcurrencyLimiter.Permit permit) {
            this.permit = permit;
        }

        void exchangeStarted() {
            synchronized (this) {
                exchanges++;
            }
        }

        void exchangeEnded() {
            synchronized (this) {
                exchanges--;
                if (!callEnded || exchanges > 0) {
                    return;
                }
            }
            permit.release(); // released once, however often it is called
        }

        void callEnded() {
            synchronized (this) {
                callEnded = true;
                if (exchanges > 0) {
                    return;
                }
            }
            permit.release();
        }
    }

    /** Completes with a lease on a connection, or fails with {@link NotObtained}. */
    Future<Lease> acquire() {
        Promise<Lease> turn = Promise.promise();
        limiter.acquire(permit -> turn.complete(new Lease(permit)), rejection -> turn.fail(new NotObtained(
                rejection == ConcurrencyLimiter.Rejection.QUEUE_FULL
                        ? "(all " + size + " are busy and " + maxWaiting + " calls wait already)"
                        : "within " + maxWaitMillis + " ms")));
        return turn.future();
    }
}
