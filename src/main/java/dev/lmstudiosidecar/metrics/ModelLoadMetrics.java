package dev.lmstudiosidecar.metrics;

import dev.lmstudiosidecar.models.ModelLoadObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * {@code sidecar_model_load_duration_seconds{model,outcome}} (its count is the number of loads)
 * and {@code sidecar_model_unloads_total{model}}. Loads are rare and slow, so the meters are looked
 * up when one ends. They are not per-request metrics: {@code lmstudio.collect-metrics=false} leaves them on.
 */
final class ModelLoadMetrics implements ModelLoadObserver {

    private final MeterRegistry registry;
    private final ModelTags models;

    ModelLoadMetrics(MeterRegistry registry, ModelTags models) {
        this.registry = registry;
        this.models = models;
    }

    @Override
    public void loadEnded(String model, long nanos, boolean loaded) {
        Timer.builder("sidecar.model.load.duration")
                .description("Model loads the sidecar made, by how long they took and whether the model loaded")
                .tags("model", models.of(model, false), "outcome", loaded ? "success" : "failure")
                .serviceLevelObjectives(Buckets.MODEL_LOAD)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void unloaded(String model) {
        Counter.builder("sidecar.model.unloads").description("Model instances the sidecar unloaded")
                .tag("model", models.of(model, false))
                .register(registry).increment();
    }
}
