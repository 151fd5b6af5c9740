package dev.lmstudiosidecar.testsupport;

import dev.lmstudiosidecar.models.CapabilityCatalog;
import dev.lmstudiosidecar.models.DiscoveredModel;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadState;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadedInstance;
import dev.lmstudiosidecar.models.DiscoveredModel.ModelType;
import dev.lmstudiosidecar.models.DiscoveryApi;
import dev.lmstudiosidecar.models.ModelInventory;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.ProviderAdapter;
import dev.lmstudiosidecar.provider.UpstreamCall;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** A provider as placement and the fallback chain see it, every figure set by the test; it makes no call. */
public final class FakeProvider implements ProviderAdapter {

    private final Backend backend;
    private final List<DiscoveredModel> models = new ArrayList<>();
    public boolean healthy = true;
    public int inFlight;
    public int limit = 5;
    public double weight = 1;
    public Double freeGB;

    /** An LM Studio host named {@code name}. */
    public FakeProvider(String name) {
        this(name, Backend.LMSTUDIO);
    }

    /** @param provider {@code lmstudio} or {@code cloud} */
    public FakeProvider(String name, String provider) {
        this.backend = Backend.of(name, "http://" + name + ":1234/v1", provider);
    }

    public FakeProvider with(String model, LoadState state) {
        models.add(new DiscoveredModel(model, ModelType.LLM, state,
                state == LoadState.LOADED ? List.of(new LoadedInstance(model, 4096)) : List.of(), 0, 0, null, null, 0, null));
        return this;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public UpstreamCall send(HttpMethod method, String suffixWithQuery, MultiMap headers, Buffer body) {
        throw new AssertionError("no call expected");
    }

    @Override
    public ModelInventory availableModels() {
        return ModelInventory.of(DiscoveryApi.LMSTUDIO_V1, Instant.EPOCH, models);
    }

    @Override
    public boolean healthy() {
        return healthy;
    }

    @Override
    public ProviderLoad load() {
        return new ProviderLoad(inFlight, inFlight, 0, limit);
    }

    @Override
    public double weight() {
        return weight;
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
        return freeGB == null ? OptionalDouble.empty() : OptionalDouble.of(freeGB);
    }

    @Override
    public String toString() {
        return backend.name();
    }
}
