package dev.lmstudiosidecar.models;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ModelActivityTest {

    private static final Duration INTERVAL = Duration.ofSeconds(30);
    private static final String MODEL = "qwen2.5-7b-instruct";

    private final AtomicLong now = new AtomicLong(1_000);
    private final ModelActivity activity = new ModelActivity(INTERVAL, now::get);

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    @Test
    void aModelNeverUsedCountsFromTheStart() {
        assertFalse(activity.idle(MODEL), "just started: the first listing is fresh");
        advance(INTERVAL);
        assertFalse(activity.idle(MODEL), "idle means longer than one interval");
        advance(Duration.ofNanos(1));
        assertTrue(activity.idle(MODEL));
    }

    @Test
    void idleCountsFromTheEndOfTheLastRequest() {
        advance(Duration.ofMinutes(5));
        activity.started(MODEL);
        advance(Duration.ofSeconds(2));
        activity.ended(MODEL);
        advance(INTERVAL);
        assertFalse(activity.idle(MODEL));
        advance(Duration.ofMillis(1));
        assertTrue(activity.idle(MODEL));
    }

    @Test
    void aModelWithARequestRunningIsNeverIdleHoweverLongItRuns() {
        activity.started(MODEL);
        advance(Duration.ofHours(1));
        assertFalse(activity.idle(MODEL), "a long stream keeps its model busy");
        activity.ended(MODEL);
        assertFalse(activity.idle(MODEL));
    }

    @Test
    void aModelIsIdleOnlyAfterItsLastRequestEnds() {
        activity.started(MODEL);
        activity.started(MODEL);
        advance(Duration.ofMinutes(1));
        activity.ended(MODEL);
        advance(Duration.ofMinutes(1));
        assertFalse(activity.idle(MODEL), "one still runs");
        activity.ended(MODEL);
        advance(INTERVAL.plusMillis(1));
        assertTrue(activity.idle(MODEL));
    }

    @Test
    void aListingTakenForAnIdleModelCountsAsAUse() {
        advance(INTERVAL.plusMillis(1));
        assertTrue(activity.idle(MODEL));
        activity.seen(MODEL);
        assertFalse(activity.idle(MODEL), "the requests after that listing go straight on");
        advance(INTERVAL.plusMillis(1));
        assertTrue(activity.idle(MODEL));
    }

    @Test
    void modelsAreTrackedApart() {
        advance(Duration.ofMinutes(5));
        activity.started(MODEL);
        assertFalse(activity.idle(MODEL));
        assertTrue(activity.idle("phi-3-mini"));
    }

    @Test
    void anEndWithoutAStartChangesNothing() {
        activity.ended(MODEL);
        advance(INTERVAL.plusMillis(1));
        assertTrue(activity.idle(MODEL));
    }
}
