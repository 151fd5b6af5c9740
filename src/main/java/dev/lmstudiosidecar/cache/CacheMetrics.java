package dev.lmstudiosidecar.cache;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Locale;

/**
 * The cache's meters, read from its own counts when Prometheus scrapes, so a request pays nothing
 * for them: {@code sidecar_cache_requests_total{result}}, {@code sidecar_cache_size_bytes{tier}},
 * {@code sidecar_cache_entries{tier}} and {@code sidecar_cache_evictions_total}.
 */
@Singleton
public class CacheMetrics {

    void register(@Observes StartupEvent started, MeterRegistry registry, ResponseCache cache) {
        for (ResponseCache.Result result : ResponseCache.Result.values()) {
            FunctionCounter.builder("sidecar.cache.requests", cache, c -> c.counted(result))
                    .description("Requests the response cache answered (hit), missed, or stayed out of (bypass)")
                    .tag("result", result.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        Gauge.builder("sidecar.cache.size", cache, c -> c.stats().memoryBytes()).baseUnit("bytes")
                .description("Bytes held by a tier of the response cache").tag("tier", "memory").register(registry);
        Gauge.builder("sidecar.cache.size", cache, c -> c.stats().persistentBytes()).baseUnit("bytes")
                .description("Bytes held by a tier of the response cache").tag("tier", "persistent").register(registry);
        Gauge.builder("sidecar.cache.entries", cache, c -> c.stats().memoryEntries())
                .description("Entries in a tier of the response cache").tag("tier", "memory").register(registry);
        Gauge.builder("sidecar.cache.entries", cache, c -> c.stats().persistentEntries())
                .description("Entries in a tier of the response cache").tag("tier", "persistent").register(registry);
        FunctionCounter.builder("sidecar.cache.evictions", cache, c -> c.stats().evictions())
                .description("Entries the response cache dropped to stay within its bounds").register(registry);
    }
}
