package dev.lmstudiosidecar.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-request meters, resolved once per series and kept: a request looks its series up in a
 * map and updates meters that exist already. The map is bounded: past {@link #MAX_SERIES} series,
 * new ones fold both models into {@link ModelTags#OTHER}, which leaves only the few combinations of
 * operation, provider, outcome and error type.
 */
final class GenAiMeters {

    static final int MAX_SERIES = 1000;

    private final MeterRegistry registry;
    private final ConcurrentHashMap<SeriesKey, SeriesMeters> series = new ConcurrentHashMap<>();

    GenAiMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    SeriesMeters of(SeriesKey key) {
        SeriesMeters found = series.get(key);
        if (found != null) {
            return found;
        }
        SeriesKey bounded = series.size() < MAX_SERIES ? key : key.withOtherModels();
        return series.computeIfAbsent(bounded, k -> new SeriesMeters(registry, k));
    }
}
