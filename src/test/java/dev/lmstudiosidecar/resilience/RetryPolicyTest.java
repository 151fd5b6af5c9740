package dev.lmstudiosidecar.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.resilience.RetryPolicy.FailureKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {

    private static final Optional<Duration> NO_RETRY_AFTER = Optional.empty();

    /** 100 ms doubling up to 1 s, no jitter: the delays are exact. */
    private final RetryPolicy exact = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1), 0, () -> 0.5);

    private static RetryPolicy withRandom(double random) {
        return new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1), 0.2, () -> random);
    }

    private static OptionalLong delay(RetryPolicy policy, int attempt) {
        return policy.nextDelayMillis(attempt, FailureKind.CONNECT_FAILED, NO_RETRY_AFTER);
    }

    private static OptionalLong rateLimited(RetryPolicy policy, int attempt, Duration retryAfter) {
        return policy.nextDelayMillis(attempt, FailureKind.RATE_LIMITED, Optional.of(retryAfter));
    }

    @Test
    void theDelayDoublesWithEachAttempt() {
        assertEquals(OptionalLong.of(100), delay(exact, 1));
        assertEquals(OptionalLong.of(200), delay(exact, 2));
        assertEquals(OptionalLong.of(400), delay(exact, 3));
        assertEquals(OptionalLong.of(800), delay(exact, 4));
    }

    @Test
    void theDelayStopsGrowingAtMaxDelay() {
        assertEquals(OptionalLong.of(1000), delay(exact, 5), "1600 ms capped");
        assertEquals(OptionalLong.of(1000), delay(exact, 10));
    }

    @Test
    void aHugeAttemptNumberIsCappedRatherThanOverflowing() {
        RetryPolicy patient = new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(100), Duration.ofSeconds(1), 0,
                () -> 0.5);
        assertEquals(OptionalLong.of(1000), delay(patient, 64));
        assertEquals(OptionalLong.of(1000), delay(patient, 65), "a shift of 64 is a shift of 0 in Java");
        assertEquals(OptionalLong.of(1000), delay(patient, 1000));
    }

    @Test
    void aZeroInitialDelayRetriesAtOnceWhateverTheAttempt() {
        RetryPolicy eager = new RetryPolicy(Integer.MAX_VALUE, Duration.ZERO, Duration.ofSeconds(1), 0.2, () -> 1.0);
        assertEquals(OptionalLong.of(0), delay(eager, 1));
        assertEquals(OptionalLong.of(0), delay(eager, 100));
    }

    @Test
    void jitterShortensByTheFractionAtTheLowestRandom() {
        assertEquals(OptionalLong.of(80), delay(withRandom(0.0), 1));
        assertEquals(OptionalLong.of(320), delay(withRandom(0.0), 3));
    }

    @Test
    void jitterLengthensByTheFractionAtTheHighestRandom() {
        assertEquals(OptionalLong.of(120), delay(withRandom(1.0), 1));
        assertEquals(OptionalLong.of(480), delay(withRandom(1.0), 3));
    }

    @Test
    void jitterIsCentredOnTheBackoff() {
        assertEquals(OptionalLong.of(100), delay(withRandom(0.5), 1));
    }

    @Test
    void jitterStillSpreadsDelaysThatReachedTheCap() {
        assertEquals(OptionalLong.of(800), delay(withRandom(0.0), 8));
        assertEquals(OptionalLong.of(1200), delay(withRandom(1.0), 8));
    }

    @Test
    void aRandomOutsideItsRangeCannotPushTheDelayOutOfTheJitterBounds() {
        assertEquals(OptionalLong.of(80), delay(withRandom(-3), 1));
        assertEquals(OptionalLong.of(120), delay(withRandom(7), 1));
    }

    @Test
    void retriesStopOnceTheAttemptExceedsMaxRetries() {
        RetryPolicy threeRetries = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1), 0, () -> 0.5);
        assertTrue(delay(threeRetries, 1).isPresent());
        assertTrue(delay(threeRetries, 2).isPresent());
        assertTrue(delay(threeRetries, 3).isPresent(), "the third failure still earns the fourth attempt");
        assertEquals(OptionalLong.empty(), delay(threeRetries, 4));
        assertEquals(3, threeRetries.maxRetries());
    }

    @Test
    void zeroMaxRetriesNeverRetries() {
        RetryPolicy never = new RetryPolicy(0, Duration.ofMillis(100), Duration.ofSeconds(1), 0, () -> 0.5);
        assertEquals(OptionalLong.empty(), delay(never, 1));
    }

    @ParameterizedTest
    @EnumSource(value = FailureKind.class, names = {"CONNECT_FAILED", "TIMEOUT", "SERVER_ERROR", "RATE_LIMITED",
            "CONNECTION_LOST"})
    void failuresAnotherAttemptMayCureAreRetried(FailureKind kind) {
        assertEquals(OptionalLong.of(100), exact.nextDelayMillis(1, kind, NO_RETRY_AFTER));
    }

    @ParameterizedTest
    @EnumSource(value = FailureKind.class, names = {"CLIENT_ERROR", "MODEL_NOT_FOUND", "MODEL_NOT_LOADED"})
    void failuresThatWouldRepeatAreNeverRetried(FailureKind kind) {
        assertEquals(OptionalLong.empty(), exact.nextDelayMillis(1, kind, NO_RETRY_AFTER));
        assertEquals(OptionalLong.empty(), exact.nextDelayMillis(1, kind, Optional.of(Duration.ofMillis(10))),
                "a Retry-After does not make them retryable");
    }

    @Test
    void aRetryAfterLongerThanTheBackoffIsHonoured() {
        assertEquals(OptionalLong.of(700), rateLimited(exact, 1, Duration.ofMillis(700)));
        assertEquals(OptionalLong.of(700), rateLimited(withRandom(1.0), 1, Duration.ofMillis(700)));
    }

    @Test
    void aRetryAfterShorterThanTheBackoffKeepsTheBackoff() {
        assertEquals(OptionalLong.of(400), rateLimited(exact, 3, Duration.ofMillis(50)));
        assertEquals(OptionalLong.of(400), rateLimited(exact, 3, Duration.ZERO));
    }

    @Test
    void aRetryAfterBeyondMaxDelayGivesUp() {
        assertEquals(OptionalLong.empty(), rateLimited(exact, 1, Duration.ofMillis(1001)));
        assertEquals(OptionalLong.of(1000), rateLimited(exact, 1, Duration.ofSeconds(1)), "exactly the cap is waited");
    }

    @Test
    void aRetryAfterCountsOnlyForRateLimiting() {
        Optional<Duration> fiveMinutes = Optional.of(Duration.ofMinutes(5));
        assertEquals(OptionalLong.of(100), exact.nextDelayMillis(1, FailureKind.SERVER_ERROR, fiveMinutes));
        assertEquals(OptionalLong.of(100), exact.nextDelayMillis(1, FailureKind.TIMEOUT, fiveMinutes));
    }

    @Test
    void aRetryAfterDoesNotExtendMaxRetries() {
        RetryPolicy oneRetry = new RetryPolicy(1, Duration.ofMillis(100), Duration.ofSeconds(1), 0, () -> 0.5);
        assertEquals(OptionalLong.empty(), rateLimited(oneRetry, 2, Duration.ofMillis(10)));
    }

    @Test
    void ofAddsTwentyPercentJitterAroundTheCap() {
        RetryPolicy policy = RetryPolicy.of(100, Duration.ofSeconds(1), Duration.ofSeconds(30));
        assertEquals(100, policy.maxRetries());
        for (int i = 0; i < 200; i++) {
            long first = delay(policy, 1).getAsLong();
            assertTrue(first >= 800 && first <= 1200, first + " ms is outside 1 s +- 20 %");
            long capped = delay(policy, 20).getAsLong();
            assertTrue(capped >= 24_000 && capped <= 36_000, capped + " ms is outside 30 s +- 20 %");
        }
        assertEquals(OptionalLong.empty(), rateLimited(policy, 1, Duration.ofSeconds(31)));
    }

    @Test
    void attemptsAreNumberedFromOne() {
        assertThrows(IllegalArgumentException.class, () -> delay(exact, 0));
    }

    @Test
    void nonsensicalSettingsAreRefused() {
        Duration ms100 = Duration.ofMillis(100);
        Duration s1 = Duration.ofSeconds(1);
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(-1, ms100, s1, 0.2, () -> 0.5));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(3, s1, ms100, 0.2, () -> 0.5));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(3, ms100.negated(), s1, 0.2, () -> 0.5));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(3, ms100, s1, 1.5, () -> 0.5));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(3, ms100, s1, Double.NaN, () -> 0.5));
    }

    // parseRetryAfter

    private static final Clock NEW_YEAR_2024 = Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC);

    @Test
    void retryAfterInSecondsIsRead() {
        assertEquals(Optional.of(Duration.ofSeconds(2)), RetryPolicy.parseRetryAfter("2", NEW_YEAR_2024));
        assertEquals(Optional.of(Duration.ZERO), RetryPolicy.parseRetryAfter("0", NEW_YEAR_2024));
        assertEquals(Optional.of(Duration.ofSeconds(120)), RetryPolicy.parseRetryAfter(" 120 ", NEW_YEAR_2024));
        assertEquals(Optional.of(Duration.ofSeconds(3)), RetryPolicy.parseRetryAfter("3"));
    }

    @Test
    void retryAfterAsAnHttpDateCountsFromTheClock() {
        assertEquals(Optional.of(Duration.ofSeconds(30)),
                RetryPolicy.parseRetryAfter("Mon, 01 Jan 2024 00:00:30 GMT", NEW_YEAR_2024));
        assertEquals(Optional.of(Duration.ofHours(25)),
                RetryPolicy.parseRetryAfter("Tue, 02 Jan 2024 01:00:00 GMT", NEW_YEAR_2024));
    }

    @Test
    void retryAfterAsADateAlreadyPastMeansNow() {
        assertEquals(Optional.of(Duration.ZERO),
                RetryPolicy.parseRetryAfter("Sun, 31 Dec 2023 23:59:00 GMT", NEW_YEAR_2024));
    }

    @Test
    void retryAfterTooLargeForALongStillMeansTooLongToWait() {
        Optional<Duration> forEver = RetryPolicy.parseRetryAfter("99999999999999999999999", NEW_YEAR_2024);
        assertTrue(forEver.isPresent());
        assertEquals(OptionalLong.empty(), rateLimited(exact, 1, forEver.get()));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "  ", "soon", "-1", "-0", "+5", "1.5", "2s", "0x10",
            "Mon, 32 Jan 2024 00:00:00 GMT", "2024-01-01T00:00:30Z", "Mon, 01 Jan 2024"})
    void retryAfterThatIsNeitherFormIsIgnored(String header) {
        assertEquals(Optional.empty(), RetryPolicy.parseRetryAfter(header, NEW_YEAR_2024));
    }
}
