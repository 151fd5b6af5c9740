package dev.lmstudiosidecar.models;

import dev.lmstudiosidecar.config.LMStudioConfig;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests in flight per model, so that the sidecar never unloads a model under them, and the
 * unloads under way, so that a request arriving meanwhile waits for the unload and then for a new
 * load instead of racing it. A request counts from the moment it is accepted for the model (also
 * while it waits for a slot or a load), not only while LM Studio works on it.
 *
 * <p>One lock guards every change to both tables: "no request holds it" and "an unload begins"
 * must be one step. The unloads under way are also read without it, by every request.
 * A model's count is removed when it falls to zero, so clients naming made-up models cannot grow
 * the table.
 *
 * <p>It also knows when each model was last in use ({@link ModelActivity}): a request that is sent
 * counts as use until it ends, so that a model idle for longer than one
 * {@code health-check-interval}, which LM Studio may have evicted since the last listing, is
 * listed again before a request is sent to it.
 */
public class ModelUsage {

    private final Map<String, Integer> inFlight = new HashMap<>();
    /** Changed under the lock, read without it ({@link #unloadOf}). */
    private final Map<String, Future<?>> unloading = new ConcurrentHashMap<>();
    private final HostDiscovery discovery;
    private final ModelActivity activity;

    public ModelUsage(HostDiscovery discovery, LMStudioConfig config) {
        this.discovery = discovery;
        // Idle beyond one interval: the periodic listing no longer speaks for now, LM Studio may have evicted it since.
        this.activity = new ModelActivity(config.healthCheckInterval(), System::nanoTime);
    }

    /** One request on {@code model} (a key, or one of its instances: counted on its key), until {@link Lease#close()}. */
    public Lease acquire(String model) {
        String key = discovery.inventory().keyOf(model);
        synchronized (this) {
            inFlight.merge(key, 1, Integer::sum);
        }
        return new Lease(key, model);
    }

    public synchronized int inFlight(String key) {
        return inFlight.getOrDefault(key, 0);
    }

    /**
     * Marks {@code key} as being unloaded until {@code done} completes, if no request holds it.
     *
     * @return false when requests hold it (then nothing is marked)
     */
    synchronized boolean tryBeginUnload(String key, Future<?> done) {
        if (inFlight.getOrDefault(key, 0) > 0 || unloading.containsKey(key)) {
            return false;
        }
        unloading.put(key, done);
        done.onComplete(finished -> endUnload(key));
        return true;
    }

    private synchronized void endUnload(String key) {
        unloading.remove(key);
    }

    /**
     * The unload of {@code key} under way, or null. Asked by every request, after it took its lease,
     * so without the lock: either the unload began first (marked under the lock the lease then took,
     * so this read sees it), or it came after the lease and was refused.
     */
    Future<?> unloadOf(String key) {
        return unloading.get(key);
    }

    /**
     * Whether no request is being sent to {@code key} and none ended (nor was its state listed for
     * it) within one health-check interval. Lock-free: it is asked for every request.
     */
    boolean idle(String key) {
        return activity.idle(key);
    }

    /** A listing asked for because {@code key} was idle showed its state: it counts as used now. */
    void stateSeen(String key) {
        activity.seen(key);
    }

    private synchronized void release(String key) {
        inFlight.computeIfPresent(key, (name, count) -> count > 1 ? count - 1 : null);
    }

    /** One request's hold on a model. Closing it twice counts once. */
    public final class Lease implements AutoCloseable {
        private final String key;
        private final String model;
        private boolean closed;
        private boolean inUse;

        private Lease(String key, String model) {
            this.key = key;
            this.model = model;
        }

        /** The model as the request named it. */
        public String model() {
            return model;
        }

        /**
         * The request goes to the model now (it is loaded, or LM Studio answers for it): the model is
         * in use until {@link #close()}. Only listed models are tracked, so that made-up names do
         * not grow the table.
         */
        public void sending() {
            if (!inUse && !closed && discovery.inventory().byKey().containsKey(key)) {
                inUse = true;
                activity.started(key);
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                if (inUse) {
                    activity.ended(key);
                }
                release(key);
            }
        }
    }
}
