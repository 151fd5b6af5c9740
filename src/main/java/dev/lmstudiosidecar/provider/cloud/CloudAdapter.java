package dev.lmstudiosidecar.provider.cloud;

import dev.lmstudiosidecar.models.CapabilityCatalog;
import dev.lmstudiosidecar.models.DiscoveredModel;
import dev.lmstudiosidecar.models.ModelActionRefused;
import dev.lmstudiosidecar.models.ModelInventory;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.BackendClient;
import dev.lmstudiosidecar.provider.ProviderAdapter;
import dev.lmstudiosidecar.provider.UpstreamCall;
import dev.lmstudiosidecar.resilience.BackendBreakers;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** The cloud provider as the request path sees it: it has what it is asked for, and nothing to load or unload. */
final class CloudAdapter implements ProviderAdapter {

    private final BackendClient client;
    private final BackendBreakers breakers;

    CloudAdapter(BackendClient client, BackendBreakers breakers) {
        this.client = client;
        this.breakers = breakers;
    }

    @Override
    public Backend backend() {
        return client.backend();
    }

    @Override
    public UpstreamCall send(HttpMethod method, String suffixWithQuery, MultiMap headers, Buffer body) {
        return client.sendOpenAi(method, suffixWithQuery, headers, body);
    }

    /** The sidecar does not list the cloud's models: the config names the ones it uses ({@code cloud.models.*}). */
    @Override
    public ModelInventory availableModels() {
        return ModelInventory.unknown();
    }

    @Override
    public boolean healthy() {
        return !breakers.isOpen(backend());
    }

    /** Its pool queues cloud calls itself; the sidecar counts none. */
    @Override
    public ProviderLoad load() {
        return new ProviderLoad(0, 0, 0, 0);
    }

    @Override
    public Future<DiscoveredModel> loadModel(String model, OptionalInt contextLength) {
        return Future.failedFuture(notHere());
    }

    @Override
    public Future<List<String>> unloadModel(String model) {
        return Future.failedFuture(notHere());
    }

    @Override
    public OptionalDouble freeMemoryGB(CapabilityCatalog catalog) {
        return OptionalDouble.empty();
    }

    private static ModelActionRefused notHere() {
        return new ModelActionRefused(ModelActionRefused.Reason.NO_LOAD_API, "The cloud provider's models are not loaded or unloaded by the sidecar.");
    }

}
