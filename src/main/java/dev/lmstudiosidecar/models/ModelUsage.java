package dev.lmstudiosidecar.models;

import jakarta.inject.Singleton;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests in flight per model, so that the sidecar never unloads a model under them. A model's
 * count is removed when it falls to zero: clients naming made-up models cannot grow the table.
 */
@Singleton
public class ModelUsage {

    private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();
    private final ModelDiscovery discovery;

    ModelUsage(ModelDiscovery discovery) {
        this.discovery = discovery;
    }

    /** One request on {@code model} (a key, or one of its instances: counted on its key), until {@link Lease#close()}. */
    public Lease acquire(String model) {
        String key = discovery.inventory().find(model).map(DiscoveredModel::key).orElse(model);
        inFlight.merge(key, 1, Integer::sum);
        return new Lease(key, model);
    }

    public int inFlight(String model) {
        return inFlight.getOrDefault(model, 0);
    }

    /** One request's hold on a model. Closing it twice counts once. */
    public final class Lease implements AutoCloseable {
        private final String key;
        private final String model;
        private boolean closed;

        private Lease(String key, String model) {
            this.key = key;
            this.model = model;
        }

        /** The model as the request named it. */
        public String model() {
            return model;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            inFlight.computeIfPresent(key, (name, count) -> count > 1 ? count - 1 : null);
        }
    }
}
