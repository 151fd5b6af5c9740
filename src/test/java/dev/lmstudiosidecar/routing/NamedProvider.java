package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.models.CapabilityCatalog;
import dev.lmstudiosidecar.models.DiscoveredModel;
import dev.lmstudiosidecar.models.ModelInventory;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.ProviderAdapter;
import dev.lmstudiosidecar.provider.UpstreamCall;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** A provider that only has a name: for tests of decisions that make no call. Every call fails the test. */
record NamedProvider(Backend backend) implements ProviderAdapter {

    static NamedProvider of(String name, String provider) {
        return new NamedProvider(Backend.of(name, "http://127.0.0.1:1/v1", provider));
    }

    @Override
    public UpstreamCall send(HttpMethod method, String suffixWithQuery, MultiMap headers, Buffer body) {
        throw new AssertionError("no call expected");
    }

    @Override
    public ModelInventory availableModels() {
        return ModelInventory.unknown();
    }

    @Override
    public boolean healthy() {
        return true;
    }

    @Override
    public ProviderLoad load() {
        return new ProviderLoad(0, 0, 0, 0);
    }

    @Override
    public Future<DiscoveredModel> loadModel(String model, OptionalInt contextLength) {
        throw new AssertionError("no call expected");
    }

    @Override
    public Future<List<String>> unloadModel(String model) {
        throw new AssertionError("no call expected");
    }

    @Override
    public OptionalDouble freeMemoryGB(CapabilityCatalog catalog) {
        return OptionalDouble.empty();
    }
}
