package dev.lmstudiosidecar.models;

import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the server had at one listing: immutable, replaced whole by the next listing (or by a load
 * or unload the sidecar made itself), so readers on any thread see one consistent picture.
 *
 * @param api       the listing it came from; null before any listing succeeded
 * @param listedAt  when; null before any listing succeeded
 */
public record ModelInventory(DiscoveryApi api, Instant listedAt, Map<String, DiscoveredModel> byKey) {

    private static final ModelInventory NONE = new ModelInventory(null, null, Map.of());

    public ModelInventory {
        byKey = Collections.unmodifiableMap(new LinkedHashMap<>(byKey));
    }

    /** Before the first successful listing: nothing is known, so nothing may be ruled out. */
    public static ModelInventory unknown() {
        return NONE;
    }

    public static ModelInventory of(DiscoveryApi api, Instant listedAt, List<DiscoveredModel> models) {
        Map<String, DiscoveredModel> byKey = new LinkedHashMap<>();
        models.forEach(model -> byKey.putIfAbsent(model.key(), model));
        return new ModelInventory(api, listedAt, byKey);
    }

    /**
     * Several hosts' inventories as one: every model any lists, in the order first seen; a model loaded on any host is
     * loaded, its instances those of every host; state unknown where no host that lists it says. Its API is the
     * richest of theirs (the sidecar may load models where that API is), its time the latest. Unknown while all are.
     */
    public static ModelInventory merge(List<ModelInventory> inventories) {
        List<ModelInventory> known = inventories.stream().filter(ModelInventory::known).toList();
        if (known.size() <= 1) {
            return known.isEmpty() ? NONE : known.get(0);
        }
        Map<String, DiscoveredModel> byKey = new LinkedHashMap<>();
        DiscoveryApi api = known.get(0).api();
        Instant listedAt = known.get(0).listedAt();
        for (ModelInventory inventory : known) {
            api = inventory.api().ordinal() < api.ordinal() ? inventory.api() : api; // DiscoveryApi lists the richest first
            listedAt = inventory.listedAt().isAfter(listedAt) ? inventory.listedAt() : listedAt;
            inventory.models().forEach(model -> byKey.merge(model.key(), model, ModelInventory::mergedCopies));
        }
        return new ModelInventory(api, listedAt, byKey);
    }

    private static DiscoveredModel mergedCopies(DiscoveredModel first, DiscoveredModel other) {
        if (first.loaded() || other.loaded()) {
            List<DiscoveredModel.LoadedInstance> instances = new java.util.ArrayList<>(first.instances());
            instances.addAll(other.instances());
            DiscoveredModel loaded = first.loaded() ? first : other;
            return new DiscoveredModel(loaded.key(), loaded.type(), DiscoveredModel.LoadState.LOADED, instances, loaded.sizeBytes(),
                    loaded.maxContextLength(), loaded.quantization(), loaded.paramsString(), loaded.parameterCount(), loaded.architecture());
        }
        return first.state() == DiscoveredModel.LoadState.UNKNOWN || other.state() != DiscoveredModel.LoadState.UNKNOWN ? first : other;
    }

    /** Whether a listing ever succeeded. */
    public boolean known() {
        return api != null;
    }

    public Collection<DiscoveredModel> models() {
        return byKey.values();
    }

    /** By model key, or by the id of one of its loaded instances ({@code key:2}), as LM Studio accepts both. */
    public Optional<DiscoveredModel> find(String keyOrInstance) {
        DiscoveredModel byName = byKey.get(keyOrInstance);
        if (byName != null) {
            return Optional.of(byName);
        }
        return byKey.values().stream()
                .filter(model -> model.instances().stream().anyMatch(instance -> instance.id().equals(keyOrInstance)))
                .findFirst();
    }

    /** The key {@code keyOrInstance} names: itself, unless it is the id of an instance of a listed model. */
    public String keyOf(String keyOrInstance) {
        if (byKey.containsKey(keyOrInstance)) {
            return keyOrInstance; // the common case, without the scan of instances
        }
        return find(keyOrInstance).map(DiscoveredModel::key).orElse(keyOrInstance);
    }

    /**
     * Whether {@code model} may be asked for: listed, or nothing is known. A generic server's listing
     * names what it serves; LM Studio's names what is downloaded.
     */
    public boolean mayServe(String model) {
        return !known() || find(model).isPresent();
    }

    /**
     * For the log: "3 models (2 loaded)", or, from a names-only listing (llama.cpp, vLLM), "3 models
     * (state unknown)": such a server does not say what is in memory, and "0 loaded" would be false.
     */
    public String summary() {
        if (api == DiscoveryApi.OPENAI) {
            return byKey.size() + " models (state unknown)";
        }
        return byKey.size() + " models (" + byKey.values().stream().filter(DiscoveredModel::loaded).count() + " loaded)";
    }

    /** The same inventory with {@code model} in place of the entry of the same key. */
    public ModelInventory with(DiscoveredModel model) {
        Map<String, DiscoveredModel> changed = new LinkedHashMap<>(byKey);
        changed.put(model.key(), model);
        return new ModelInventory(api, listedAt, changed);
    }
}
