package dev.lmstudiosidecar.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.resilience.CircuitBreaker.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private static final Duration OPEN_FOR = Duration.ofSeconds(10);

    /** A clock that moves only when the test says so. */
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    /** Window of 10, at least 4 outcomes, opens at half failing, 10 s open, 2 probes. */
    private final CircuitBreaker breaker = new CircuitBreaker(10, 4, 0.5, OPEN_FOR, 2, now::get);

    private final List<State> transitions = Collections.synchronizedList(new ArrayList<>());

    private void advance(Duration duration) {
        now.addAndGet(duration.toNanos());
    }

    private static void outcomes(CircuitBreaker breaker, String pattern) {
        for (char c : pattern.toCharArray()) {
            assertTrue(breaker.tryAcquire(), "a closed breaker lets every call through");
            if (c == 'F') {
                breaker.onFailure();
            } else {
                breaker.onSuccess();
            }
        }
    }

    private void open() {
        outcomes(breaker, "FFFF");
        assertEquals(State.OPEN, breaker.state());
    }

    private void openThenWait() {
        open();
        advance(OPEN_FOR);
    }

    @Test
    void opensExactlyWhenTheFailureRatioIsReached() {
        outcomes(breaker, "SSF");
        assertEquals(State.CLOSED, breaker.state(), "1 of 3 failed");
        outcomes(breaker, "F");
        assertEquals(State.OPEN, breaker.state(), "2 of 4 failed: exactly the ratio");
    }

    @Test
    void staysClosedBelowTheRatio() {
        outcomes(breaker, "SSSFSF");
        assertEquals(State.CLOSED, breaker.state(), "2 of 6 failed");
    }

    @Test
    void staysClosedBelowMinimumCallsWhateverTheRatio() {
        outcomes(breaker, "FFF");
        assertEquals(State.CLOSED, breaker.state(), "3 of 3 failed, but 3 outcomes prove nothing yet");
        outcomes(breaker, "F");
        assertEquals(State.OPEN, breaker.state());
    }

    @Test
    void onlyTheLastWindowSizeOutcomesCount() {
        CircuitBreaker small = new CircuitBreaker(4, 4, 0.5, OPEN_FOR, 1, now::get);
        outcomes(small, "SSSSSSSSSSSS");
        outcomes(small, "F");
        assertEquals(State.CLOSED, small.state());
        outcomes(small, "F");
        assertEquals(State.OPEN, small.state(), "2 of the last 4 failed, though only 2 of 14 in all");
    }

    @Test
    void failuresThatLeftTheWindowNoLongerCount() {
        CircuitBreaker small = new CircuitBreaker(4, 4, 0.5, OPEN_FOR, 1, now::get);
        outcomes(small, "FSSS");
        outcomes(small, "S"); // the failure drops out
        outcomes(small, "F");
        assertEquals(State.CLOSED, small.state(), "1 of the last 4 failed");
    }

    @Test
    void failsFastWhileOpen() {
        open();
        assertFalse(breaker.tryAcquire());
        assertEquals(10_000, breaker.retryAfterMillis());
        advance(Duration.ofMillis(2_500));
        assertFalse(breaker.tryAcquire());
        assertEquals(7_500, breaker.retryAfterMillis());
    }

    @Test
    void retryAfterRoundsUpAndIsNeverZeroWhileOpen() {
        open();
        advance(OPEN_FOR.minusNanos(1));
        assertEquals(State.OPEN, breaker.state());
        assertEquals(1, breaker.retryAfterMillis());
        advance(Duration.ofNanos(1));
        assertEquals(0, breaker.retryAfterMillis(), "half-open now");
    }

    @Test
    void retryAfterIsZeroWhileClosed() {
        outcomes(breaker, "FS");
        assertEquals(0, breaker.retryAfterMillis());
    }

    @Test
    void halfOpensOnceTheOpenDurationHasPassed() {
        open();
        advance(OPEN_FOR.minusNanos(1));
        assertFalse(breaker.tryAcquire());
        advance(Duration.ofNanos(1));
        assertEquals(State.HALF_OPEN, breaker.state(), "shown before any call asks");
        assertTrue(breaker.tryAcquire());
    }

    @Test
    void halfOpenLetsOnlyTheProbesThrough() {
        openThenWait();
        assertTrue(breaker.tryAcquire());
        assertTrue(breaker.tryAcquire());
        assertFalse(breaker.tryAcquire(), "both probes are out");
        breaker.onSuccess();
        assertFalse(breaker.tryAcquire(), "a probe that came back does not free a slot for another");
    }

    @Test
    void closesOnceEveryProbeSucceeded() {
        openThenWait();
        breaker.tryAcquire();
        breaker.tryAcquire();
        breaker.onSuccess();
        assertEquals(State.HALF_OPEN, breaker.state(), "one probe is still out");
        breaker.onSuccess();
        assertEquals(State.CLOSED, breaker.state());
        assertTrue(breaker.tryAcquire());
    }

    @Test
    void closingStartsWithAnEmptyWindow() {
        outcomes(breaker, "SSFF");
        assertEquals(State.OPEN, breaker.state());
        advance(OPEN_FOR);
        breaker.tryAcquire();
        breaker.tryAcquire();
        breaker.onSuccess();
        breaker.onSuccess();
        outcomes(breaker, "FFF");
        assertEquals(State.CLOSED, breaker.state(), "3 outcomes since closing; the old ones are gone");
    }

    @Test
    void aFailedProbeReopensForAFreshOpenDuration() {
        openThenWait();
        advance(Duration.ofSeconds(5)); // the fresh duration must not count from the first opening
        breaker.tryAcquire();
        breaker.tryAcquire();
        breaker.onSuccess();
        breaker.onFailure();
        assertEquals(State.OPEN, breaker.state());
        assertFalse(breaker.tryAcquire());
        assertEquals(10_000, breaker.retryAfterMillis());
        advance(OPEN_FOR.minusNanos(1));
        assertEquals(State.OPEN, breaker.state());
        advance(Duration.ofNanos(1));
        assertEquals(State.HALF_OPEN, breaker.state());
        assertTrue(breaker.tryAcquire(), "a new half-open period has its own probes");
        assertTrue(breaker.tryAcquire());
    }

    @Test
    void lateOutcomesWhileOpenChangeNothing() {
        open();
        advance(Duration.ofSeconds(4));
        breaker.onFailure();
        breaker.onSuccess();
        assertEquals(State.OPEN, breaker.state());
        assertEquals(6_000, breaker.retryAfterMillis(), "a late failure does not restart the wait");
    }

    @Test
    void outcomesWithNoProbeOutAreNotTakenForProbes() {
        openThenWait();
        breaker.onFailure();
        assertEquals(State.HALF_OPEN, breaker.state());
        breaker.onSuccess();
        breaker.onSuccess();
        assertEquals(State.HALF_OPEN, breaker.state());
    }

    @Test
    void theListenerSeesEveryTransitionOutsideTheLock() {
        breaker.onStateChange(state -> {
            assertFalse(Thread.holdsLock(breaker), "called under the breaker's lock");
            transitions.add(state);
        });
        outcomes(breaker, "SF");
        assertEquals(List.of(), transitions, "no transition, no call");
        outcomes(breaker, "SF");
        advance(OPEN_FOR);
        breaker.state();
        breaker.tryAcquire();
        breaker.onFailure();
        advance(OPEN_FOR);
        breaker.tryAcquire();
        breaker.tryAcquire();
        breaker.onSuccess();
        breaker.onSuccess();
        assertEquals(List.of(State.OPEN, State.HALF_OPEN, State.OPEN, State.HALF_OPEN, State.CLOSED), transitions);
    }

    @Test
    void aNewListenerReplacesTheOldOne() {
        List<State> old = new ArrayList<>();
        breaker.onStateChange(old::add);
        breaker.onStateChange(transitions::add);
        open();
        assertEquals(List.of(), old);
        assertEquals(List.of(State.OPEN), transitions);
    }

    @Test
    void concurrentCallersGetNoMoreThanTheProbes() throws Exception {
        openThenWait();
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> asks = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                asks.add(pool.submit(() -> {
                    start.await();
                    return breaker.tryAcquire();
                }));
            }
            start.countDown();
            int permitted = 0;
            for (Future<Boolean> ask : asks) {
                permitted += ask.get(5, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(2, permitted);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentFailuresOpenTheBreakerOnce() throws Exception {
        AtomicInteger opened = new AtomicInteger();
        breaker.onStateChange(state -> {
            if (state == State.OPEN) {
                opened.incrementAndGet();
            }
        });
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                calls.add(pool.submit(() -> {
                    start.await();
                    for (int j = 0; j < 1_000; j++) {
                        breaker.onFailure();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> call : calls) {
                call.get(5, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(State.OPEN, breaker.state());
        assertEquals(1, opened.get());
    }

    @Test
    void aDiagnosisSaysHowLongEveryCallHasFailedWhyAndWhenCallsGoThroughAgain() {
        outcomes(breaker, "SSSS");
        assertTrue(breaker.tryAcquire());
        breaker.onFailure("Connection refused");
        advance(Duration.ofSeconds(4));
        for (String why : List.of("HTTP 500", "timed out", "Connection reset")) {
            assertTrue(breaker.tryAcquire());
            breaker.onFailure(why);
        }
        assertEquals(State.OPEN, breaker.state());
        advance(Duration.ofSeconds(3));
        CircuitBreaker.Diagnosis why = breaker.diagnosis();
        assertEquals(List.of("Connection reset", "timed out", "HTTP 500"), why.lastFailures(), "the last three, newest first");
        assertEquals(7_000, why.failingForMillis());
        assertEquals(7_000, why.retryAfterMillis());
        assertEquals("every call has failed for 7 s (the last: Connection reset; timed out; HTTP 500); a call goes through again in 7 s",
                why.summary());
    }

    @Test
    void aDiagnosisAfterMixedOutcomesCountsTheFailuresOfTheWindow() {
        outcomes(breaker, "FFS");
        assertEquals("2 of the last 3 calls failed", breaker.diagnosis().summary());
    }

    @Test
    void nonsensicalSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CircuitBreaker(0, 1, 0.5, OPEN_FOR, 1, now::get));
        assertThrows(IllegalArgumentException.class, () -> new CircuitBreaker(4, 5, 0.5, OPEN_FOR, 1, now::get));
        assertThrows(IllegalArgumentException.class, () -> new CircuitBreaker(4, 0, 0.5, OPEN_FOR, 1, now::get));
        assertThrows(IllegalArgumentException.class, () -> new CircuitBreaker(4, 4, 1.5, OPEN_FOR, 1, now::get));
        assertThrows(IllegalArgumentException.class, () -> new CircuitBreaker(4, 4, Double.NaN, OPEN_FOR, 1, now::get));
        assertThrows(IllegalArgumentException.class,
                () -> new CircuitBreaker(4, 4, 0.5, OPEN_FOR.negated(), 1, now::get));
        assertThrows(IllegalArgumentException.class, () -> new CircuitBreaker(4, 4, 0.5, OPEN_FOR, 0, now::get));
    }

    @Test
    void aProbeReleasedWithoutAnOutcomeFreesItsSlot() {
        openThenWait();
        assertTrue(breaker.tryAcquire());
        assertTrue(breaker.tryAcquire());
        assertFalse(breaker.tryAcquire(), "both probes are out");
        breaker.release(); // that probe's client went away before any answer
        assertTrue(breaker.tryAcquire(), "the released slot can probe again");
        breaker.onSuccess();
        breaker.onSuccess();
        assertEquals(State.CLOSED, breaker.state());
    }

    @Test
    void openNowOpensAClosedBreakerWhateverItsWindowSays() {
        breaker.onStateChange(transitions::add);
        assertTrue(breaker.openNow("Connection refused"), "it was closed");
        assertEquals(State.OPEN, breaker.state());
        assertFalse(breaker.tryAcquire(), "an open breaker fails fast");
        assertEquals(OPEN_FOR.toMillis(), breaker.retryAfterMillis());
        assertEquals(List.of("Connection refused"), breaker.diagnosis().lastFailures());
        assertEquals(List.of(State.OPEN), transitions);
    }

    @Test
    void openNowOnAnOpenBreakerStartsItsOpenDurationAgainWithoutANewTransition() {
        open();
        breaker.onStateChange(transitions::add);
        advance(Duration.ofSeconds(7));
        assertFalse(breaker.openNow("Connection refused"), "it was open already");
        assertEquals(OPEN_FOR.toMillis(), breaker.retryAfterMillis(), "the evidence is fresh: a whole open duration again");
        advance(Duration.ofSeconds(7));
        assertEquals(State.OPEN, breaker.state(), "14 s after it first opened, 7 s after the check");
        assertEquals(List.of(), transitions);
    }

    @Test
    void openNowOnABreakerDueToHalfOpenKeepsItOpen() {
        openThenWait(); // due, but nobody looked yet
        breaker.onStateChange(transitions::add);
        assertFalse(breaker.openNow("Connection refused"));
        assertEquals(State.OPEN, breaker.state());
        assertFalse(breaker.tryAcquire());
        assertEquals(List.of(), transitions, "no HALF_OPEN and OPEN again in between");
    }

    @Test
    void openNowGivesUpTheProbesOfAHalfOpenBreaker() {
        openThenWait();
        assertTrue(breaker.tryAcquire());
        assertEquals(State.HALF_OPEN, breaker.state());
        assertTrue(breaker.openNow("Connection refused"));
        breaker.onSuccess(); // the probe's late answer
        assertEquals(State.OPEN, breaker.state(), "a probe let through before the check proves nothing now");
    }

    @Test
    void halfOpenNowLetsTheProbesThroughBeforeTheOpenDurationEnds() {
        open();
        breaker.onStateChange(transitions::add);
        advance(Duration.ofSeconds(1));
        assertTrue(breaker.halfOpenNow());
        assertEquals(State.HALF_OPEN, breaker.state());
        assertEquals(0, breaker.retryAfterMillis());
        assertTrue(breaker.tryAcquire());
        assertTrue(breaker.tryAcquire());
        assertFalse(breaker.tryAcquire(), "two probes, as after a wait");
        breaker.onSuccess();
        breaker.onSuccess();
        assertEquals(State.CLOSED, breaker.state());
        assertEquals(List.of(State.HALF_OPEN, State.CLOSED), transitions);
    }

    @Test
    void aProbeThatFailsAfterHalfOpenNowOpensTheBreakerAgain() {
        open();
        breaker.halfOpenNow();
        assertTrue(breaker.tryAcquire());
        breaker.onFailure("HTTP 500");
        assertEquals(State.OPEN, breaker.state());
        assertEquals(OPEN_FOR.toMillis(), breaker.retryAfterMillis());
    }

    @Test
    void halfOpenNowChangesOnlyAnOpenBreaker() {
        assertFalse(breaker.halfOpenNow(), "closed stays closed");
        assertEquals(State.CLOSED, breaker.state());
        openThenWait();
        assertTrue(breaker.tryAcquire()); // half-open now, one probe out
        assertFalse(breaker.halfOpenNow(), "half-open already: its probes are not reset");
        assertTrue(breaker.tryAcquire());
        assertFalse(breaker.tryAcquire());
    }
}
