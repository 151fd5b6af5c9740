package dev.lmstudiosidecar.metrics;

import dev.lmstudiosidecar.config.CloudConfig;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.config.SidecarConfig;
import dev.lmstudiosidecar.models.ModelDirectory;
import dev.lmstudiosidecar.models.ModelDiscovery;
import dev.lmstudiosidecar.models.ModelLoadObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.util.HashSet;
import java.util.Set;

/** Builds the metrics pieces from config, once. */
public class MetricsBeans {

    /** Distinct model names a tag may take; the rest are "other". */
    static final int MAX_MODEL_TAGS = 100;

    /**
     * Real names: those LM Studio lists, the catalog's own entries (a fallback chain starts from
     * them; a glob entry vouches for no name it matches), and the cloud models the config names.
     * Discovery and the catalog are looked up when a name is first met: the hosts' loaders, which
     * discovery stands on, report to the load metrics, which name models with these tags.
     */
    @Produces
    @Singleton
    ModelTags modelTags(Provider<ModelDiscovery> discovery, Provider<ModelDirectory> directory, CloudConfig cloud) {
        Set<String> cloudModels = new HashSet<>(cloud.models().values());
        cloud.defaultModel().ifPresent(cloudModels::add);
        return new ModelTags(MAX_MODEL_TAGS, name -> cloudModels.contains(name)
                || discovery.get().inventory().find(name).isPresent()
                || directory.get().catalog().find(name).filter(entry -> entry.modelName().equalsIgnoreCase(name)).isPresent());
    }

    @Produces
    @Singleton
    PerformanceTracker performanceTracker(SidecarConfig config) {
        try {
            // Every model tag value, for each of the two providers.
            return new PerformanceTracker(config.performanceWindow(), System::nanoTime, 2 * (MAX_MODEL_TAGS + 2));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("sidecar.performance-window: " + e.getMessage(), e);
        }
    }

    @Produces
    @Singleton
    RequestMetrics requestMetrics(LMStudioConfig config, MeterRegistry registry, ModelTags models, PerformanceTracker tracker) {
        return config.collectMetrics() ? RequestMetrics.on(registry, models, tracker, System::nanoTime) : RequestMetrics.off();
    }

    @Produces
    @Singleton
    ModelLoadObserver modelLoadMetrics(MeterRegistry registry, ModelTags models) {
        return new ModelLoadMetrics(registry, models);
    }
}
