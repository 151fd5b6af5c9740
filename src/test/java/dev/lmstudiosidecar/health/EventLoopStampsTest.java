package dev.lmstudiosidecar.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventLoopStampsTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long BOUND = 500 * MS;

    @Test
    void loopsThatStampWithinTheBoundAreNotStalled() {
        EventLoopStamps stamps = new EventLoopStamps(2, 0);
        stamps.stamp(0, 400 * MS, "loop-0");
        stamps.stamp(1, 450 * MS, "loop-1");
        assertTrue(stamps.stalled(900 * MS, BOUND).isEmpty());
    }

    @Test
    void theLoopWithTheOldestStampIsNamedWithItsAge() {
        EventLoopStamps stamps = new EventLoopStamps(3, 0);
        stamps.stamp(0, 1_000 * MS, "loop-0");
        stamps.stamp(1, 200 * MS, "vert.x-eventloop-thread-1");
        stamps.stamp(2, 1_000 * MS, "loop-2");
        assertEquals(new EventLoopStamps.Stall("vert.x-eventloop-thread-1", 900), stamps.stalled(1_100 * MS, BOUND).orElseThrow());
    }

    @Test
    void aLoopThatNeverRanCountsFromTheStart() {
        EventLoopStamps stamps = new EventLoopStamps(2, 0);
        stamps.stamp(0, 600 * MS, "loop-0");
        assertEquals(new EventLoopStamps.Stall("event loop 1", 600), stamps.stalled(600 * MS, BOUND).orElseThrow());
    }

    @Test
    void nanoTimeMayOverflow() {
        EventLoopStamps stamps = new EventLoopStamps(2, Long.MAX_VALUE - 100 * MS);
        stamps.stamp(0, Long.MIN_VALUE + 100 * MS, "loop-0"); // 200 ms later, past the overflow
        assertEquals("event loop 1", stamps.stalled(Long.MIN_VALUE + 500 * MS, BOUND).orElseThrow().loop());
        stamps.stamp(1, Long.MIN_VALUE + 450 * MS, "loop-1");
        assertTrue(stamps.stalled(Long.MIN_VALUE + 500 * MS, BOUND).isEmpty());
    }

    @Test
    void thereIsAtLeastOneLoop() {
        assertThrows(IllegalArgumentException.class, () -> new EventLoopStamps(0, 0));
    }
}
