package dev.lmstudiosidecar.metrics;

import dev.lmstudiosidecar.provider.Backend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.LongSupplier;

/**
 * The per-request metrics: the OpenTelemetry GenAI histograms, requests by outcome, retries and
 * fallbacks, and the {@link PerformanceTracker} behind {@code GET /admin/performance}. With
 * {@code lmstudio.collect-metrics=false} it is {@link #off()}: {@link #start} answers null and a
 * request records nothing.
 */
public final class RequestMetrics {

    private static final RequestMetrics OFF = new RequestMetrics(null, null, null, null, null);

    private final MeterRegistry registry;
    private final GenAiMeters meters;
    private final ModelTags models;
    private final PerformanceTracker tracker;
    private final LongSupplier nanoClock;

    private RequestMetrics(MeterRegistry registry, GenAiMeters meters, ModelTags models, PerformanceTracker tracker,
                           LongSupplier nanoClock) {
        this.registry = registry;
        this.meters = meters;
        this.models = models;
        this.tracker = tracker;
        this.nanoClock = nanoClock;
    }

    public static RequestMetrics on(MeterRegistry registry, ModelTags models, PerformanceTracker tracker,
                                    LongSupplier nanoClock) {
        return new RequestMetrics(registry, new GenAiMeters(registry), models, tracker, nanoClock);
    }

    public static RequestMetrics off() {
        return OFF;
    }

    public boolean enabled() {
        return registry != null;
    }

    /** A request that arrived now, to observe until it ends; null when metrics are off. */
    public RequestObservation start(GenAiOperation operation) {
        return enabled() ? new RequestObservation(operation, nanoClock) : null;
    }

    /**
     * The request ended now.
     *
     * @param answeringModel the model the sidecar sent it to last (a fallback's, say), or null
     * @param provider       the backend that answered, or would have
     * @param errorType      {@link ErrorTypes#NONE} on success
     */
    public void record(RequestObservation request, String answeringModel, String provider, Outcome outcome, String errorType) {
        long durationNanos = nanoClock.getAsLong() - request.startNanos();
        boolean success = outcome == Outcome.SUCCESS;
        String responseName = request.responseModel() != null ? request.responseModel() : answeringModel;
        String requestTag = models.of(request.requestModel(), success && request.requestModel() != null
                && request.requestModel().equals(answeringModel));
        String responseTag = success ? models.of(responseName, true) : ModelTags.NONE;
        SeriesMeters series = meters.of(new SeriesKey(request.operation(), requestTag, responseTag, provider, outcome, errorType));
        series.request(durationNanos);
        long ttftNanos = request.firstChunkNanos() < 0 ? -1 : request.firstChunkNanos() - request.startNanos();
        if (success) {
            recordAnswer(series, request, durationNanos, ttftNanos);
        }
        tracker.record(success ? responseTag : requestTag, provider, outcome, durationNanos, ttftNanos,
                request.inputTokens(), request.outputTokens());
    }

    private static void recordAnswer(SeriesMeters series, RequestObservation request, long durationNanos, long ttftNanos) {
        if (request.inputTokens() >= 0) {
            series.inputTokens(request.inputTokens());
        }
        if (request.outputTokens() >= 0 && request.operation().generates()) {
            series.outputTokens(request.outputTokens());
        }
        if (ttftNanos >= 0) {
            series.timeToFirstToken(ttftNanos);
            if (request.outputTokens() > 1) {
                series.timePerOutputToken((durationNanos - ttftNanos) / (request.outputTokens() - 1));
            }
        }
    }

    /** An attempt on {@code model} failed and is tried again. */
    public void retried(String provider, String model) {
        if (enabled()) {
            Counter.builder("sidecar.retries").description("Attempts made again on the same model after a failure")
                    .tags(SeriesMeters.PROVIDER, provider, SeriesMeters.REQUEST_MODEL, models.of(model, false))
                    .register(registry).increment();
        }
    }

    /** The fallback chain moved on from one model to the next ({@code cloud:} names a cloud model). */
    public void fellBack(String fromProvider, String fromModel, String toProvider, String toModel) {
        if (enabled()) {
            Counter.builder("sidecar.fallbacks").description("Requests handed from one model to the next of their fallback chain")
                    .tags("from", label(fromProvider, fromModel), "to", label(toProvider, toModel))
                    .register(registry).increment();
        }
    }

    private String label(String provider, String model) {
        String tag = models.of(model, false);
        return provider.equals(Backend.LMSTUDIO) ? tag : provider + ":" + tag;
    }
}
