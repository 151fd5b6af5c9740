package dev.lmstudiosidecar.shutdown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.Eventually;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GracefulShutdownTest {

    /** A request that counts how often it was told to end, and ends when told if {@code obeys}. */
    private static final class Request implements GracefulShutdown.InFlight {
        final AtomicInteger endings = new AtomicInteger();
        final GracefulShutdown shutdown;
        final boolean obeys;

        Request(GracefulShutdown shutdown, boolean obeys) {
            this.shutdown = shutdown;
            this.obeys = obeys;
            shutdown.started(this);
        }

        @Override
        public void endForShutdown() {
            endings.incrementAndGet();
            if (obeys) {
                shutdown.ended(this);
            }
        }
    }

    @Test
    void readinessGoesDownAtOnceAndNewRequestsAreRefusedOnlyAfterTheDrainDelay() {
        GracefulShutdown shutdown = new GracefulShutdown(Duration.ofMillis(400), Duration.ofSeconds(5));
        assertFalse(shutdown.draining());
        long start = System.nanoTime();
        CompletableFuture<Void> draining = CompletableFuture.runAsync(shutdown::drain);
        Eventually.await("readiness DOWN", Duration.ofSeconds(1), shutdown::draining);
        assertFalse(shutdown.refusing(), "requests are still served during the drain delay");
        Eventually.await("new requests refused", Duration.ofSeconds(2), shutdown::refusing);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) >= 400);
        draining.join();
    }

    @Test
    void aRequestThatFinishesWithinTheGracePeriodIsWaitedForAndNotEnded() throws Exception {
        GracefulShutdown shutdown = new GracefulShutdown(Duration.ZERO, Duration.ofSeconds(10));
        Request request = new Request(shutdown, true);
        long start = System.nanoTime();
        CompletableFuture<Void> draining = CompletableFuture.runAsync(shutdown::drain);
        Thread.sleep(300);
        assertFalse(draining.isDone(), "the shutdown waits for the request in flight");
        shutdown.ended(request);
        draining.get(2, TimeUnit.SECONDS);
        assertEquals(0, request.endings.get());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 5_000, "it returned once the request finished");
    }

    @Test
    void aRequestStillRunningAtTheDeadlineIsEndedOnceAndTheShutdownGoesOn() throws Exception {
        GracefulShutdown shutdown = new GracefulShutdown(Duration.ofMillis(100), Duration.ofMillis(500));
        Request obeying = new Request(shutdown, true);
        Request stuck = new Request(shutdown, false); // its connection is gone, say: nothing ends it
        long start = System.nanoTime();
        shutdown.drain();
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(1, obeying.endings.get());
        assertEquals(1, stuck.endings.get());
        assertTrue(took >= 500 && took < 500 + GracefulShutdown.LAST_WORDS_MILLIS + 1_000, "took " + took + " ms");
    }

    @Test
    void aDrainDelayLongerThanTheGracePeriodIsCutToIt() {
        GracefulShutdown shutdown = new GracefulShutdown(Duration.ofSeconds(30), Duration.ofMillis(200));
        long start = System.nanoTime();
        shutdown.drain();
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 2_000);
    }

    @Test
    void boundsOutsideZeroToTenMinutesStopTheStart() {
        assertThrows(ConfigurationException.class, () -> new GracefulShutdown(Duration.ofSeconds(-1), Duration.ofSeconds(20)));
        assertThrows(ConfigurationException.class, () -> new GracefulShutdown(Duration.ZERO, Duration.ofMinutes(11)));
    }
}
