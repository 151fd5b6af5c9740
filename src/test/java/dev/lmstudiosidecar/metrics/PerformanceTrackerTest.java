package dev.lmstudiosidecar.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PerformanceTrackerTest {

    private static final long MS = 1_000_000L;
    private static final long SECOND = 1000 * MS;

    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private final PerformanceTracker tracker = new PerformanceTracker(Duration.ofMinutes(5), now::get, 4);

    private ModelPerformance only() {
        List<ModelPerformance> all = tracker.snapshot();
        assertEquals(1, all.size(), all.toString());
        return all.get(0);
    }

    @Test
    void countsRequestsAndServerErrorsOnly() {
        tracker.record("m", "lmstudio", Outcome.SUCCESS, 100 * MS, -1, 10, 20);
        tracker.record("m", "lmstudio", Outcome.SERVER_ERROR, 5 * MS, -1, -1, -1);
        tracker.record("m", "lmstudio", Outcome.CLIENT_ERROR, 1 * MS, -1, -1, -1);
        tracker.record("m", "lmstudio", Outcome.CANCELLED, 50 * MS, -1, -1, -1);
        ModelPerformance m = only();
        assertEquals(4, m.requests());
        assertEquals(1, m.errors());
        assertEquals(0.25, m.errorRate(), 1e-9);
        assertEquals(10, m.inputTokens());
        assertEquals(20, m.outputTokens());
        assertNull(m.cacheHitRatio(), "no cache yet");
    }

    @Test
    void percentilesComeFromSuccessfulAnswersWithinAFewPercent() {
        for (int i = 1; i <= 100; i++) {
            tracker.record("m", "lmstudio", Outcome.SUCCESS, i * 10 * MS, -1, -1, -1); // 10 ms .. 1000 ms
        }
        tracker.record("m", "lmstudio", Outcome.SERVER_ERROR, 1 * MS, -1, -1, -1); // an instant 503 is no latency
        ModelPerformance m = only();
        assertEquals(500, m.latencyP50Ms(), 500 * 0.05);
        assertEquals(950, m.latencyP95Ms(), 950 * 0.05);
        assertNull(m.ttftP50Ms(), "no stream, no time to first token");
        assertNull(m.outputTokensPerSecond(), "no output tokens");
    }

    @Test
    void tokensPerSecondCountAStreamFromItsFirstChunk() {
        // 11 tokens: 1 s to the first, then 10 more in 2 s -> 5 tokens/s; a whole answer of 30 tokens in 3 s -> 10/s
        tracker.record("m", "lmstudio", Outcome.SUCCESS, 3 * SECOND, 1 * SECOND, 5, 11);
        ModelPerformance stream = only();
        assertEquals(5.0, stream.outputTokensPerSecond(), 1e-9);
        assertEquals(1000, stream.ttftP50Ms(), 1000 * 0.05);
        tracker.record("m", "lmstudio", Outcome.SUCCESS, 3 * SECOND, -1, 5, 30);
        assertEquals((10.0 + 30) / 5, only().outputTokensPerSecond(), 1e-9);
    }

    @Test
    void theWindowSlidesInTenths() {
        tracker.record("old", "lmstudio", Outcome.SUCCESS, 10 * MS, -1, -1, -1);
        now.addAndGet(3 * 60 * SECOND);
        tracker.record("new", "lmstudio", Outcome.SUCCESS, 10 * MS, -1, -1, -1);
        assertEquals(List.of("new", "old"), tracker.snapshot().stream().map(ModelPerformance::model).sorted().toList());
        now.addAndGet(2 * 60 * SECOND); // "old" is 5 minutes old now: out
        assertEquals(List.of("new"), tracker.snapshot().stream().map(ModelPerformance::model).toList());
        now.set(49 * 30 * SECOND + SECOND); // ten steps after "new" was recorded: its slot comes round again
        tracker.record("new", "lmstudio", Outcome.SUCCESS, 10 * MS, -1, -1, -1);
        assertEquals(1, only().requests(), "a reused slot starts from zero");
        now.addAndGet(5 * 60 * SECOND);
        assertEquals(List.of(), tracker.snapshot());
    }

    @Test
    void modelsBeyondTheBoundAreFoldedIntoOther() {
        for (int i = 0; i < 10; i++) {
            tracker.record("m" + i, "lmstudio", Outcome.SUCCESS, 10 * MS, -1, -1, -1);
        }
        List<ModelPerformance> all = tracker.snapshot();
        assertTrue(all.size() <= 5, all.toString());
        assertEquals(10, all.stream().mapToLong(ModelPerformance::requests).sum());
        assertTrue(all.stream().anyMatch(m -> m.model().equals(ModelTags.OTHER)));
    }

    @Test
    void aWindowTooShortToSlideIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PerformanceTracker(Duration.ofMillis(5), now::get, 4));
    }

    @Test
    void theHistogramBucketsCoverMicrosecondsToAnHour() {
        assertEquals(0, LogHistogram.index(0));
        assertEquals(3, LogHistogram.index(3));
        for (long micros = 1; micros < (1L << 32); micros = micros * 3 + 1) {
            int index = LogHistogram.index(micros);
            assertTrue(LogHistogram.lowerBoundMicros(index) <= micros && micros < LogHistogram.lowerBoundMicros(index + 1),
                    micros + " in bucket " + index);
            assertTrue(index < LogHistogram.BUCKETS);
        }
    }
}
