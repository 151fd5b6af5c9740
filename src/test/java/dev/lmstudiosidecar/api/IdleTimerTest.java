package dev.lmstudiosidecar.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IdleTimerTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aShorterBoundSetWhileWaitingFiresAtTheShorterBound() throws InterruptedException {
        CountDownLatch idle = new CountDownLatch(1);
        vertx.runOnContext(go -> {
            IdleTimer timer = new IdleTimer(vertx, 60_000, idle::countDown);
            timer.start();
            timer.setTimeout(100); // a stream's first chunk came: from now on the gap bound applies
        });
        assertTrue(idle.await(5, TimeUnit.SECONDS), "the timer waited for the first bound it was given");
    }

    @Test
    void aLongerBoundSetWhileWaitingDelaysTheFiring() throws InterruptedException {
        CountDownLatch idle = new CountDownLatch(1);
        vertx.runOnContext(go -> {
            IdleTimer timer = new IdleTimer(vertx, 100, idle::countDown);
            timer.start();
            timer.setTimeout(60_000);
        });
        assertFalse(idle.await(500, TimeUnit.MILLISECONDS), "the timer fired at the bound it no longer had");
    }

    @Test
    void activityKeepsTheTimerFromFiring() throws InterruptedException {
        CountDownLatch idle = new CountDownLatch(1);
        IdleTimer[] timer = new IdleTimer[1];
        vertx.runOnContext(go -> {
            timer[0] = new IdleTimer(vertx, 200, idle::countDown);
            timer[0].start();
        });
        long touches = vertx.setPeriodic(50, id -> timer[0].touch());
        assertFalse(idle.await(600, TimeUnit.MILLISECONDS), "the timer fired while there was activity");
        vertx.cancelTimer(touches);
        assertTrue(idle.await(5, TimeUnit.SECONDS), "the timer did not fire once the activity stopped");
    }
}
