package dev.lmstudiosidecar.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailure.Kind;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {

    private static final Backend LMSTUDIO = Backend.of("lmstudio", "http://127.0.0.1:1234/v1");
    private static final AttemptFailedException SERVER_ERROR = failed(Kind.SERVER_ERROR, 500, Optional.empty());

    static AttemptFailedException failed(Kind kind, int status, Optional<Duration> retryAfter) {
        return new AttemptFailedException(new UpstreamFailure(kind, LMSTUDIO, status, kind + " happened", null, null), retryAfter);
    }

    /** 100 ms doubling up to 1 s, jitter pinned by {@code random} (0.5: none). */
    private static RetryBackoff backoff(double jitter, double random) {
        RetryBackoff backoff = new RetryBackoff(Duration.ofSeconds(1), jitter, () -> random);
        backoff.init(100);
        return backoff;
    }

    /** The delay before the {@code retry}-th retry. */
    private static long delay(RetryBackoff backoff, int retry, Throwable failure) {
        long delay = -1;
        for (int i = 0; i < retry; i++) {
            delay = backoff.nextDelayInMillis(failure);
        }
        return delay;
    }

    @Test
    void theDelayDoublesWithEachRetryFromTheGuardsDelay() {
        RetryBackoff exact = backoff(0, 0.5);
        assertEquals(100, exact.nextDelayInMillis(SERVER_ERROR));
        assertEquals(200, exact.nextDelayInMillis(SERVER_ERROR));
        assertEquals(400, exact.nextDelayInMillis(SERVER_ERROR));
        assertEquals(800, exact.nextDelayInMillis(SERVER_ERROR));
        assertEquals(1000, exact.nextDelayInMillis(SERVER_ERROR), "1600 ms capped");
    }

    @Test
    void aHugeRetryNumberIsCappedRatherThanOverflowing() {
        assertEquals(1000, delay(backoff(0, 0.5), 64, SERVER_ERROR));
        assertEquals(1000, delay(backoff(0, 0.5), 65, SERVER_ERROR), "a shift of 64 is a shift of 0 in Java");
        assertEquals(1000, delay(backoff(0, 0.5), 1000, SERVER_ERROR));
    }

    @Test
    void aZeroDelayRetriesAtOnceWhateverTheRetry() {
        RetryBackoff eager = new RetryBackoff(Duration.ofSeconds(1), 0.2, () -> 1.0);
        eager.init(0);
        assertEquals(1, delay(eager, 1, SERVER_ERROR), "the least delay a timer takes");
        assertEquals(1, delay(eager, 100, SERVER_ERROR));
    }

    @Test
    void aDelayAboveTheCapStartsAtTheCap() {
        RetryBackoff backoff = new RetryBackoff(Duration.ofSeconds(1), 0, () -> 0.5);
        backoff.init(5000);
        assertEquals(1000, backoff.nextDelayInMillis(SERVER_ERROR));
    }

    @Test
    void jitterSpreadsTheDelayByItsFractionEitherWay() {
        assertEquals(80, delay(backoff(0.2, 0.0), 1, SERVER_ERROR));
        assertEquals(320, delay(backoff(0.2, 0.0), 3, SERVER_ERROR));
        assertEquals(120, delay(backoff(0.2, 1.0), 1, SERVER_ERROR));
        assertEquals(100, delay(backoff(0.2, 0.5), 1, SERVER_ERROR), "centred on the backoff");
        assertEquals(800, delay(backoff(0.2, 0.0), 8, SERVER_ERROR), "delays that reached the cap are still spread");
        assertEquals(1200, delay(backoff(0.2, 1.0), 8, SERVER_ERROR));
    }

    @Test
    void aRandomOutsideItsRangeCannotPushTheDelayOutOfTheJitterBounds() {
        assertEquals(80, delay(backoff(0.2, -3), 1, SERVER_ERROR));
        assertEquals(120, delay(backoff(0.2, 7), 1, SERVER_ERROR));
    }

    @Test
    void aRateLimitsRetryAfterLongerThanTheBackoffWins() {
        assertEquals(700, delay(backoff(0, 0.5), 1, failed(Kind.REJECTED, 429, Optional.of(Duration.ofMillis(700)))));
        assertEquals(700, delay(backoff(0.2, 1.0), 1, failed(Kind.REJECTED, 429, Optional.of(Duration.ofMillis(700)))));
    }

    @Test
    void aRetryAfterShorterThanTheBackoffKeepsTheBackoff() {
        assertEquals(400, delay(backoff(0, 0.5), 3, failed(Kind.REJECTED, 429, Optional.of(Duration.ofMillis(50)))));
        assertEquals(400, delay(backoff(0, 0.5), 3, failed(Kind.REJECTED, 429, Optional.of(Duration.ZERO))));
    }

    @Test
    void aRetryAfterCountsOnlyForRateLimiting() {
        Optional<Duration> fiveMinutes = Optional.of(Duration.ofMinutes(5));
        assertEquals(100, delay(backoff(0, 0.5), 1, failed(Kind.SERVER_ERROR, 503, fiveMinutes)));
        assertEquals(100, delay(backoff(0, 0.5), 1, failed(Kind.TIMEOUT, 0, fiveMinutes)));
    }

    @Test
    void theSidecarRunsWithTwentyPercentJitter() {
        for (int i = 0; i < 200; i++) {
            RetryBackoff backoff = RetryBackoff.of(Duration.ofSeconds(30));
            backoff.init(1000);
            long first = backoff.nextDelayInMillis(SERVER_ERROR);
            assertTrue(first >= 800 && first <= 1200, first + " ms is outside 1 s +- 20 %");
            long capped = delay(backoff, 19, SERVER_ERROR);
            assertTrue(capped >= 24_000 && capped <= 36_000, capped + " ms is outside 30 s +- 20 %");
        }
    }

    @Test
    void aJitterOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RetryBackoff(Duration.ofSeconds(1), 1.5, () -> 0.5));
        assertThrows(IllegalArgumentException.class, () -> new RetryBackoff(Duration.ofSeconds(1), Double.NaN, () -> 0.5));
    }
}
