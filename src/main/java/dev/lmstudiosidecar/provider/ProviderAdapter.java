package dev.lmstudiosidecar.provider;

import dev.lmstudiosidecar.models.CapabilityCatalog;
import dev.lmstudiosidecar.models.DiscoveredModel;
import dev.lmstudiosidecar.models.ModelInventory;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The seed's {@code ProviderAdapter}: what the request path and the placement of requests see of a
 * place a request can go, an LM Studio host or the cloud provider alike.
 *
 * <p>The seed's {@code chat}, {@code chatStream} and {@code embed} are one method here, {@link #send}: the sidecar
 * forwards the app's request as it came (streamed when it asks for a stream) and relays the answer byte for byte,
 * so there is nothing to tell the three apart with.
 */
public interface ProviderAdapter {

    Backend backend();

    /** chat, chatStream and embed: the request to an OpenAI route of the provider, {@code /chat/completions?x=1} say. */
    UpstreamCall send(HttpMethod method, String suffixWithQuery, MultiMap headers, Buffer body);

    /** getAvailableModels: the last listing; {@link ModelInventory#unknown()} for a provider that lists none. */
    ModelInventory availableModels();

    /** getHealth: whether requests may go there now (its breaker lets calls through, and its last check answered). */
    boolean healthy();

    /** getPerformanceMetrics: how busy it is now. */
    ProviderLoad load();

    /** loadModel: loads one instance (or joins the load under way); fails with a {@code ModelActionRefused} where there is no such thing. */
    Future<DiscoveredModel> loadModel(String model, OptionalInt contextLength);

    /** unloadModel: every loaded instance of the model, or the one it names; the ids unloaded. */
    Future<List<String>> unloadModel(String model);

    /** Breaks ties between places equally busy: the heavier first ({@code lmstudio.hosts.<name>.weight}). */
    default double weight() {
        return 1;
    }

    /** getResourceUsage: the memory left for models, in GB; empty when not known (no memory budget, or the cloud). */
    OptionalDouble freeMemoryGB(CapabilityCatalog catalog);

    /**
     * @param placed   requests placed there and not ended: those in flight, those waiting for a slot, and those
     *                 waiting for a load or a listing before they ask for one
     * @param inFlight requests holding one of its slots
     * @param queued   requests waiting for one
     * @param limit    its slots; 0 where the sidecar keeps no count (the cloud)
     */
    record ProviderLoad(int placed, int inFlight, int queued, int limit) {
        /** Requests placed there per slot: what placement compares. */
        public double perSlot() {
            return limit == 0 ? 0 : placed / (double) limit;
        }
    }
}
