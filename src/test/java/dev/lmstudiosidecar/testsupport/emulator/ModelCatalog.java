package dev.lmstudiosidecar.testsupport.emulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The models "downloaded" into the emulated LM Studio, in the order they were added. */
final class ModelCatalog {

    private final Map<String, EmulatedModel> models = new LinkedHashMap<>();

    synchronized void put(EmulatedModel model) {
        models.put(model.key, model);
    }

    synchronized void clear() {
        models.clear();
    }

    synchronized void resetToDefaults() {
        models.clear();
        add("qwen2.5-7b-instruct", "llm", 4_683_000_000L, "7B", "Q4_K_M", 32768, true);
        add("phi-3-mini", "llm", 2_390_000_000L, "3.8B", "Q4_K_M", 4096, false);
        add("text-embedding-nomic-embed-text-v1.5", "embedding", 84_000_000L, "137M", "Q8_0", 2048, true);
    }

    synchronized void add(String key, String type, long size, String params, String quant, int maxContext, boolean loaded) {
        EmulatedModel model = new EmulatedModel(key, type, size, params, quant, maxContext);
        if (loaded) {
            model.addInstance(model.defaultContextLength());
        }
        models.put(key, model);
    }

    synchronized List<EmulatedModel> all() {
        return new ArrayList<>(models.values());
    }

    /** By key, or by an instance id such as "key:2" (LM Studio accepts both as {@code model}). */
    synchronized EmulatedModel find(String keyOrInstance) {
        EmulatedModel byKey = models.get(keyOrInstance);
        if (byKey != null) {
            return byKey;
        }
        return findByInstance(keyOrInstance);
    }

    synchronized EmulatedModel findByInstance(String instanceId) {
        for (EmulatedModel m : models.values()) {
            if (m.hasInstance(instanceId)) {
                return m;
            }
        }
        return null;
    }

    /** What LM Studio picks when a request names no model: the first loaded one of the right kind. */
    synchronized EmulatedModel firstLoaded(boolean embedding) {
        for (EmulatedModel m : models.values()) {
            if (m.isEmbedding() == embedding && m.isLoaded()) {
                return m;
            }
        }
        return null;
    }

    synchronized Set<String> loadedKeys() {
        Set<String> keys = new LinkedHashSet<>();
        for (EmulatedModel m : models.values()) {
            if (m.isLoaded()) {
                keys.add(m.key);
            }
        }
        return keys;
    }
}
