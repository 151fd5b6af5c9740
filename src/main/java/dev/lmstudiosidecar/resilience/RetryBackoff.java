package dev.lmstudiosidecar.resilience;

import io.smallrye.faulttolerance.api.CustomBackoffStrategy;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The delay before each retry of one request's attempts at one candidate (SmallRye makes one per
 * guarded call): exponential from the guard's retry delay, doubling up to {@code maxDelay}, spread by
 * jitter so that clients that failed together do not come back together; an upstream 429's
 * Retry-After wins when it asks for longer. A Retry-After beyond {@code maxDelay} ends the retries
 * before this is asked ({@link FailurePolicy#retries}).
 *
 * <p>Not thread-safe, and need not be: one call's retries come one after another.
 */
public final class RetryBackoff implements CustomBackoffStrategy {

    /** Spreads the retries of many clients over +-20% of the delay, so they do not arrive together. */
    static final double DEFAULT_JITTER = 0.2;

    private final long maxDelayMillis;
    private final double jitterFraction;
    private final DoubleSupplier random;
    private long initialDelayMillis;
    private int retries;

    /**
     * @param maxDelay       the cap of the backoff, before jitter
     * @param jitterFraction how far, as a fraction of the delay, jitter moves it either way (0..1)
     * @param random         a source of uniform values in 0..1; injectable so tests can pin the jitter
     */
    public RetryBackoff(Duration maxDelay, double jitterFraction, DoubleSupplier random) {
        // Written so that NaN fails too.
        if (!(jitterFraction >= 0 && jitterFraction <= 1)) {
            throw new IllegalArgumentException("jitterFraction must be within 0..1");
        }
        this.maxDelayMillis = maxDelay.toMillis();
        this.jitterFraction = jitterFraction;
        this.random = random;
    }

    /** The backoff the sidecar runs with: +-20% jitter from a thread-local random source. */
    public static RetryBackoff of(Duration maxDelay) {
        return new RetryBackoff(maxDelay, DEFAULT_JITTER, () -> ThreadLocalRandom.current().nextDouble());
    }

    @Override
    public void init(long initialDelayInMillis) {
        this.initialDelayMillis = Math.min(initialDelayInMillis, maxDelayMillis);
    }

    @Override
    public long nextDelayInMillis(Throwable failure) {
        long delay = jittered(backoffMillis(++retries));
        if (failure instanceof AttemptFailedException attempt && FailurePolicy.rateLimited(attempt.failure())
                && attempt.retryAfter().isPresent()) {
            // Retrying sooner than the upstream asked would only earn another 429.
            delay = Math.max(delay, attempt.retryAfter().get().toMillis());
        }
        return Math.max(1, delay);
    }

    /** initialDelay * 2^(retry-1), capped at maxDelay without overflowing on the way. */
    private long backoffMillis(int retry) {
        if (initialDelayMillis == 0) {
            return 0; // the guard below would otherwise turn a huge retry's 0 into the cap
        }
        int doublings = retry - 1;
        // Checked before shifting: past the cap the shift would overflow, and Java takes a shift
        // of 64 or more modulo 64, which would start the delays over from small.
        if (doublings >= Long.SIZE - 1 || initialDelayMillis > (maxDelayMillis >> doublings)) {
            return maxDelayMillis;
        }
        return initialDelayMillis << doublings;
    }

    /**
     * Scales by a factor uniform in [1-jitter, 1+jitter]. This comes after the cap on purpose:
     * once every client's backoff has reached the cap, jitter is all that keeps them apart.
     */
    private long jittered(long millis) {
        // Clamped so a supplier that strays outside 0..1 cannot push the delay out of bounds.
        double r = Math.min(1.0, Math.max(0.0, random.getAsDouble()));
        double factor = 1 - jitterFraction + 2 * jitterFraction * r;
        return Math.round(millis * factor);
    }
}
