package dev.lmstudiosidecar.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.lmstudiosidecar.resilience.ConcurrencyLimiter.Permit;
import dev.lmstudiosidecar.resilience.ConcurrencyLimiter.Rejection;
import dev.lmstudiosidecar.resilience.ConcurrencyLimiter.Waiter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ConcurrencyLimiterTest {

    /** A scheduler whose timers fire when the test says so. */
    private final List<Runnable> timers = new ArrayList<>();
    private final ConcurrencyLimiter limiter = new ConcurrencyLimiter(2, 1, 1000, (delay, task) -> {
        timers.add(task);
        return () -> timers.remove(task);
    });

    private static final class Outcome {
        final AtomicReference<Permit> permit = new AtomicReference<>();
        final AtomicReference<Rejection> rejection = new AtomicReference<>();
    }

    private Outcome ask() {
        Outcome outcome = new Outcome();
        limiter.acquire(outcome.permit::set, outcome.rejection::set);
        return outcome;
    }

    @Test
    void grantsUpToThePermitsThenQueuesThenRejects() {
        Outcome first = ask();
        Outcome second = ask();
        Outcome queued = ask();
        Outcome refused = ask();
        assertEquals(2, limiter.inFlight());
        assertEquals(1, limiter.queued());
        assertNull(queued.permit.get());
        assertNull(queued.rejection.get());
        assertSame(Rejection.QUEUE_FULL, refused.rejection.get());

        first.permit.get().release();
        assertEquals(2, limiter.inFlight(), "the released permit passed straight to the waiter");
        assertEquals(0, limiter.queued());
        assertEquals(0, timers.size(), "the waiter's timer was cancelled");
        queued.permit.get().release();
        second.permit.get().release();
        assertEquals(0, limiter.inFlight());
    }

    @Test
    void aWaitThatExpiresIsRejectedAndLeavesTheQueue() {
        ask();
        ask();
        Outcome waiting = ask();
        timers.get(0).run();
        assertSame(Rejection.WAIT_TIMED_OUT, waiting.rejection.get());
        assertEquals(0, limiter.queued());
    }

    @Test
    void aCancelledWaiterFreesItsQueueSlot() {
        ask();
        ask();
        Outcome leaving = new Outcome();
        Waiter waiter = limiter.acquire(leaving.permit::set, leaving.rejection::set);
        waiter.cancel();
        assertEquals(0, limiter.queued());
        assertEquals(0, timers.size());
        Outcome next = ask();
        assertNull(next.rejection.get(), "the slot the cancelled waiter left is free again");
    }

    @Test
    void cancellingAfterTheGrantReleasesThePermitOnce() {
        Outcome outcome = new Outcome();
        Waiter waiter = limiter.acquire(outcome.permit::set, outcome.rejection::set);
        waiter.cancel();
        outcome.permit.get().release();
        waiter.cancel();
        assertEquals(0, limiter.inFlight(), "releasing twice counts once");
        ask();
        ask();
        assertEquals(2, limiter.inFlight());
    }
}
