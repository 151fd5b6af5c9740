package dev.lmstudiosidecar.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The seed's Performance Tracker: per model, what the last {@code window} of requests looked like
 * ({@link ModelPerformance}). The window slides in {@value #SLOTS} steps: each model keeps one slot
 * per step, reused when its time comes round again, so memory is bounded by the models (at most
 * {@code maxModels}, the rest folded into {@link ModelTags#OTHER}) whatever the traffic. Plain Java,
 * thread-safe: each model's slots have a lock of their own, held for a few additions.
 */
public final class PerformanceTracker {

    static final int SLOTS = 10;

    private final Duration window;
    private final long slotNanos;
    private final LongSupplier nanoClock;
    private final int maxModels;
    private final ConcurrentHashMap<ModelKey, ModelWindow> models = new ConcurrentHashMap<>();

    private record ModelKey(String model, String provider) {
    }

    public PerformanceTracker(Duration window, LongSupplier nanoClock, int maxModels) {
        if (window.toMillis() < SLOTS) {
            throw new IllegalArgumentException("the performance window must be at least " + SLOTS + " ms, not " + window);
        }
        this.window = window;
        this.slotNanos = window.toNanos() / SLOTS;
        this.nanoClock = nanoClock;
        this.maxModels = maxModels;
    }

    public Duration window() {
        return window;
    }

    /**
     * One request that ended.
     *
     * @param model       a bounded tag value ({@link ModelTags})
     * @param ttftNanos   its time to first token, or -1 when it was not streamed
     * @param inputTokens -1 when unknown; so is {@code outputTokens}
     */
    public void record(String model, String provider, Outcome outcome, long durationNanos, long ttftNanos,
                       long inputTokens, long outputTokens) {
        ModelKey key = new ModelKey(model, provider);
        ModelWindow found = models.get(key);
        if (found == null) {
            found = models.computeIfAbsent(models.size() < maxModels ? key : new ModelKey(ModelTags.OTHER, provider),
                    k -> new ModelWindow());
        }
        found.record(epoch(), outcome, durationNanos, ttftNanos, inputTokens, outputTokens);
    }

    /** Every model with requests in the window, by name. */
    public List<ModelPerformance> snapshot() {
        long now = epoch();
        List<ModelPerformance> result = new ArrayList<>();
        models.forEach((key, slots) -> {
            ModelPerformance summary = slots.summary(now, key.model(), key.provider());
            if (summary != null) {
                result.add(summary);
            }
        });
        result.sort(Comparator.comparing(ModelPerformance::model).thenComparing(ModelPerformance::provider));
        return result;
    }

    private long epoch() {
        return Math.floorDiv(nanoClock.getAsLong(), slotNanos);
    }

    /** One model's slots. */
    private static final class ModelWindow {
        private final Slot[] slots = new Slot[SLOTS];

        synchronized void record(long epoch, Outcome outcome, long durationNanos, long ttftNanos, long inputTokens,
                                 long outputTokens) {
            int index = (int) Math.floorMod(epoch, (long) SLOTS);
            Slot slot = slots[index];
            if (slot == null) {
                slot = slots[index] = new Slot();
            }
            if (slot.epoch != epoch) {
                slot.reset(epoch);
            }
            slot.add(outcome, durationNanos, ttftNanos, inputTokens, outputTokens);
        }

        /** @return null when no request of the window is left */
        synchronized ModelPerformance summary(long now, String model, String provider) {
            Slot sum = new Slot();
            for (Slot slot : slots) {
                if (slot != null && slot.epoch > now - SLOTS && slot.epoch <= now) {
                    slot.addTo(sum);
                }
            }
            return sum.requests == 0 ? null : sum.toPerformance(model, provider);
        }
    }

    /** What the requests of one step added up to. */
    private static final class Slot {
        long epoch = Long.MIN_VALUE;
        long requests;
        long errors;
        long inputTokens;
        long outputTokens;
        /** Tokens and time that give the generation speed: a stream's after its first chunk, a whole answer's otherwise. */
        long generatedTokens;
        long generatingNanos;
        final LogHistogram latency = new LogHistogram();
        final LogHistogram timeToFirstToken = new LogHistogram();

        void reset(long newEpoch) {
            epoch = newEpoch;
            requests = errors = inputTokens = outputTokens = generatedTokens = generatingNanos = 0;
            latency.clear();
            timeToFirstToken.clear();
        }

        void add(Outcome outcome, long durationNanos, long ttftNanos, long input, long output) {
            requests++;
            if (outcome == Outcome.SERVER_ERROR) {
                errors++;
            }
            if (outcome != Outcome.SUCCESS) {
                return; // an instant 503 or a client that left says nothing of the model's speed
            }
            latency.record(durationNanos);
            inputTokens += Math.max(0, input);
            outputTokens += Math.max(0, output);
            if (ttftNanos >= 0) {
                timeToFirstToken.record(ttftNanos);
                if (output > 1 && durationNanos > ttftNanos) {
                    generatedTokens += output - 1;
                    generatingNanos += durationNanos - ttftNanos;
                }
            } else if (output > 0) {
                generatedTokens += output;
                generatingNanos += durationNanos;
            }
        }

        void addTo(Slot sum) {
            sum.requests += requests;
            sum.errors += errors;
            sum.inputTokens += inputTokens;
            sum.outputTokens += outputTokens;
            sum.generatedTokens += generatedTokens;
            sum.generatingNanos += generatingNanos;
            latency.addTo(sum.latency);
            timeToFirstToken.addTo(sum.timeToFirstToken);
        }

        ModelPerformance toPerformance(String model, String provider) {
            Double tokensPerSecond = generatingNanos == 0 ? null : generatedTokens / (generatingNanos / 1e9);
            return new ModelPerformance(model, provider, requests, errors, (double) errors / requests,
                    quantile(latency, 0.5), quantile(latency, 0.95),
                    quantile(timeToFirstToken, 0.5), quantile(timeToFirstToken, 0.95),
                    tokensPerSecond, inputTokens, outputTokens, null);
        }

        private static Double quantile(LogHistogram histogram, double q) {
            return histogram.total() == 0 ? null : histogram.quantileMillis(q);
        }
    }
}
