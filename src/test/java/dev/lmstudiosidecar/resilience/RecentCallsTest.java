package dev.lmstudiosidecar.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentCallsTest {

    private static final Duration OPEN_FOR = Duration.ofSeconds(10);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RecentCalls calls = new RecentCalls(4, OPEN_FOR, now::get);

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    @Test
    void aDiagnosisSaysHowLongEveryCallHasFailedWhyAndWhenCallsGoThroughAgain() {
        calls.succeeded();
        calls.failed("Connection refused");
        advance(Duration.ofSeconds(4));
        for (String why : List.of("HTTP 500", "timed out", "Connection reset")) {
            calls.failed(why);
        }
        calls.opened(null);
        advance(Duration.ofSeconds(3));
        BreakerDiagnosis why = calls.diagnosis();
        assertEquals(List.of("Connection reset", "timed out", "HTTP 500"), why.lastFailures(), "the last three, newest first");
        assertEquals(7_000, why.failingForMillis());
        assertEquals(7_000, why.retryAfterMillis());
        assertEquals("every call has failed for 7 s (the last: Connection reset; timed out; HTTP 500); a call goes through again in 7 s",
                why.summary());
    }

    @Test
    void aDiagnosisAfterMixedOutcomesCountsTheFailuresOfTheWindow() {
        calls.failed("HTTP 500");
        calls.failed("HTTP 500");
        calls.succeeded();
        assertEquals("2 of the last 3 calls failed (the last: HTTP 500; HTTP 500)", calls.diagnosis().summary());
        calls.succeeded();
        calls.succeeded();
        assertEquals(1, calls.diagnosis().failures(), "the oldest outcome left the window of 4");
        assertEquals(4, calls.diagnosis().calls());
    }

    @Test
    void anOpenBreakerNeverSaysZeroMillisecondsLeft() {
        calls.opened("Connection refused");
        advance(OPEN_FOR.plusSeconds(5));
        assertEquals(1, calls.diagnosis().retryAfterMillis(), "a caller told 0 would retry straight into it");
        calls.notOpen(false);
        assertEquals(0, calls.diagnosis().retryAfterMillis());
    }

    @Test
    void aClosedBreakerForgetsTheFailuresOfItsWindow() {
        calls.failed("HTTP 500");
        calls.opened(null);
        calls.notOpen(true);
        assertEquals(0, calls.diagnosis().calls());
        assertEquals(0, calls.diagnosis().failures());
    }

    @Test
    void anEmptyWindowIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RecentCalls(0, OPEN_FOR, now::get));
    }
}
