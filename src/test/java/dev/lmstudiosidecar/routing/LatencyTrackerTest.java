package dev.lmstudiosidecar.routing;

import static dev.lmstudiosidecar.models.TaskType.CODING;
import static dev.lmstudiosidecar.models.TaskType.GENERAL;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatencyTrackerTest {

    private final LatencyTracker tracker = new LatencyTracker();

    @Test
    void theAverageIsSeededByTheFirstObservationAndWeighsTheNewestByPointTwo() {
        tracker.observe("phi-3-mini", CODING, 1000); // seed: 1000
        tracker.observe("phi-3-mini", CODING, 2000); // 0.2 * 2000 + 0.8 * 1000 = 400 + 800 = 1200
        tracker.observe("phi-3-mini", CODING, 500);  // 0.2 * 500 + 0.8 * 1200 = 100 + 960 = 1060
        assertEquals(1060, tracker.learned("phi-3-mini", CODING).getAsDouble(), 1e-9);

        tracker.observe("phi-3-mini", CODING, 3000); // 0.2 * 3000 + 0.8 * 1060 = 600 + 848 = 1448
        assertEquals(1448, tracker.learned("phi-3-mini", CODING).getAsDouble(), 1e-9);
        assertEquals(4, tracker.observations("phi-3-mini", CODING));
    }

    @Test
    void nothingIsLearnedBeforeMinObservations() {
        assertEquals(3, LatencyTracker.MIN_OBSERVATIONS);
        assertEquals(OptionalDouble.empty(), tracker.learned("phi-3-mini", CODING));
        tracker.observe("phi-3-mini", CODING, 800);
        tracker.observe("phi-3-mini", CODING, 800);
        assertEquals(OptionalDouble.empty(), tracker.learned("phi-3-mini", CODING));
        assertEquals(2, tracker.observations("phi-3-mini", CODING));
        tracker.observe("phi-3-mini", CODING, 800);
        assertEquals(OptionalDouble.of(800), tracker.learned("phi-3-mini", CODING));
    }

    @Test
    void pairsAreKeptApartByTaskAndNamesCompareIgnoringCase() {
        tracker.observe("Phi-3-Mini", CODING, 100);
        tracker.observe("phi-3-mini", GENERAL, 100);
        assertEquals(1, tracker.observations("PHI-3-MINI", CODING));
        assertEquals(1, tracker.observations("phi-3-mini", GENERAL));
        assertEquals(0, tracker.observations("deepseek-coder-34b", CODING));
    }

    @Test
    void negativeTimesAreIgnored() {
        tracker.observe("phi-3-mini", CODING, -1);
        assertEquals(0, tracker.observations("phi-3-mini", CODING));
        tracker.observe("phi-3-mini", CODING, 0);
        assertEquals(1, tracker.observations("phi-3-mini", CODING));
    }

    @Test
    void pairsBeyondMaxEntriesAreNotTrackedWhileTrackedOnesStillLearn() {
        for (int i = 0; i < LatencyTracker.MAX_ENTRIES; i++) {
            tracker.observe("model-" + i, GENERAL, 100);
        }
        tracker.observe("one-too-many", GENERAL, 100);
        assertEquals(0, tracker.observations("one-too-many", GENERAL));
        tracker.observe("model-0", GENERAL, 100);
        assertEquals(2, tracker.observations("model-0", GENERAL));
    }

    @Test
    void concurrentObservationsAllCount() throws Exception {
        int threads = 4;
        int each = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        tracker.observe("shared", CODING, 700);
                        tracker.observe("own-" + thread, CODING, i);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * each, tracker.observations("shared", CODING));
        assertEquals(700, tracker.learned("shared", CODING).getAsDouble(), 1e-9);
        for (int t = 0; t < threads; t++) {
            assertEquals(each, tracker.observations("own-" + t, CODING));
        }
    }

    @Test
    void theBoundHoldsWhenThreadsRaceToAddPairs() throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < LatencyTracker.MAX_ENTRIES; i++) {
                        tracker.observe("model-" + i, GENERAL, 100); // each name from every thread
                        tracker.observe("other-" + i, GENERAL, 100);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        int trackedPairs = 0;
        for (int i = 0; i < LatencyTracker.MAX_ENTRIES; i++) {
            trackedPairs += tracker.observations("model-" + i, GENERAL) > 0 ? 1 : 0;
            trackedPairs += tracker.observations("other-" + i, GENERAL) > 0 ? 1 : 0;
        }
        assertEquals(LatencyTracker.MAX_ENTRIES, trackedPairs);
        assertEquals(threads, tracker.observations("model-0", GENERAL), "the first names are tracked from every thread");
    }
}
