package dev.lmstudiosidecar.resilience;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Decides whether and when to retry a failed attempt to open an upstream call: exponential
 * backoff from {@code initialDelay}, capped at {@code maxDelay}, spread by jitter so that clients
 * that failed together do not come back together.
 *
 * <p>Only failures that another attempt may cure are retried. A request the upstream refused as
 * such (a 4xx, an unknown or unloaded model) fails the same way every time, so retrying it only
 * adds latency.
 *
 * <p>Plain Java, immutable and thread-safe as long as the injected random source is.
 */
public final class RetryPolicy {

    /** Why an attempt failed, as far as retrying cares. */
    public enum FailureKind {
        CONNECT_FAILED,
        TIMEOUT,
        /** A 5xx. */
        SERVER_ERROR,
        /** A 429. */
        RATE_LIMITED,
        CONNECTION_LOST,
        /** A 4xx other than 429. */
        CLIENT_ERROR,
        MODEL_NOT_FOUND,
        MODEL_NOT_LOADED,
        /** Refused by the backend's open circuit breaker: it stays open longer than any retry delay. */
        CIRCUIT_OPEN;

        public boolean retryable() {
            // No default: a new kind does not compile until someone decides whether it retries.
            return switch (this) {
                case CONNECT_FAILED, TIMEOUT, SERVER_ERROR, RATE_LIMITED, CONNECTION_LOST -> true;
                case CLIENT_ERROR, MODEL_NOT_FOUND, MODEL_NOT_LOADED, CIRCUIT_OPEN -> false;
            };
        }
    }

    /** Spreads the retries of many clients over +-20% of the delay, so they do not arrive together. */
    private static final double DEFAULT_JITTER = 0.2;

    private final int maxRetries;
    private final long initialDelayMillis;
    private final Duration maxDelay;
    private final long maxDelayMillis;
    private final double jitterFraction;
    private final DoubleSupplier random;

    /**
     * @param maxRetries how many retries after the first attempt; 0 never retries
     * @param initialDelay the delay before the first retry, before jitter
     * @param maxDelay the cap of the backoff, before jitter; also the longest Retry-After worth
     *     waiting for
     * @param jitterFraction how far, as a fraction of the delay, jitter moves it either way (0..1)
     * @param random a source of uniform values in 0..1; injectable so tests can pin the jitter
     */
    public RetryPolicy(int maxRetries, Duration initialDelay, Duration maxDelay, double jitterFraction,
            DoubleSupplier random) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0");
        }
        if (initialDelay == null || maxDelay == null || random == null) {
            throw new NullPointerException("initialDelay, maxDelay and random are required");
        }
        if (initialDelay.isNegative() || initialDelay.compareTo(maxDelay) > 0) {
            throw new IllegalArgumentException("need 0 <= initialDelay <= maxDelay");
        }
        // Written so that NaN fails too.
        if (!(jitterFraction >= 0 && jitterFraction <= 1)) {
            throw new IllegalArgumentException("jitterFraction must be within 0..1");
        }
        this.maxRetries = maxRetries;
        this.initialDelayMillis = initialDelay.toMillis();
        this.maxDelay = maxDelay;
        this.maxDelayMillis = maxDelay.toMillis();
        this.jitterFraction = jitterFraction;
        this.random = random;
    }

    /** The policy the sidecar runs with: +-20% jitter from a thread-local random source. */
    public static RetryPolicy of(int maxRetries, Duration initialDelay, Duration maxDelay) {
        return new RetryPolicy(maxRetries, initialDelay, maxDelay, DEFAULT_JITTER,
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /**
     * @param attempt the number of the attempt that just failed, 1-based
     * @param kind why it failed
     * @param retryAfter the upstream's Retry-After, if it sent one; only a 429's is heeded
     * @return the delay before the next attempt, or empty when there must be no retry
     */
    public OptionalLong nextDelayMillis(int attempt, FailureKind kind, Optional<Duration> retryAfter) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts are numbered from 1");
        }
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (attempt > maxRetries || !kind.retryable()) {
            return OptionalLong.empty();
        }
        long delay = jittered(backoffMillis(attempt));
        if (kind == FailureKind.RATE_LIMITED && retryAfter.isPresent()) {
            Duration asked = retryAfter.get();
            // Waiting longer than we would ever back off is worse than failing over now.
            if (asked.compareTo(maxDelay) > 0) {
                return OptionalLong.empty();
            }
            // Retrying sooner than the upstream asked would only earn another 429.
            delay = Math.max(delay, asked.toMillis());
        }
        return OptionalLong.of(delay);
    }

    public int maxRetries() {
        return maxRetries;
    }

    /** initialDelay * 2^(attempt-1), capped at maxDelay without overflowing on the way. */
    private long backoffMillis(int attempt) {
        if (initialDelayMillis == 0) {
            return 0; // the guard below would otherwise turn a huge attempt's 0 into the cap
        }
        int doublings = attempt - 1;
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

    /**
     * Reads a Retry-After header against the system clock.
     *
     * @see #parseRetryAfter(String, Clock)
     */
    public static Optional<Duration> parseRetryAfter(String headerValue) {
        return parseRetryAfter(headerValue, Clock.systemUTC());
    }

    /**
     * Reads a Retry-After header: delta-seconds ({@code "120"}) or an RFC 1123 HTTP-date, which
     * counts from {@code clock}'s now. A date already past means "now", so it reads as zero.
     *
     * @return how long the upstream asked to wait, or empty for null, a negative number or
     *     anything else that is neither form
     */
    public static Optional<Duration> parseRetryAfter(String headerValue, Clock clock) {
        if (headerValue == null) {
            return Optional.empty();
        }
        String value = headerValue.trim();
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (allDigits(value)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
            } catch (NumberFormatException tooLarge) {
                // Still a valid delta-seconds: a wait that long is as good as for ever.
                return Optional.of(Duration.ofSeconds(Long.MAX_VALUE));
            }
        }
        Instant date;
        try {
            date = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeException notADate) {
            return Optional.empty();
        }
        Duration wait = Duration.between(clock.instant(), date);
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    }

    /** delta-seconds is 1*DIGIT: no sign, no fraction, which Long.parseLong alone would let in. */
    private static boolean allDigits(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
