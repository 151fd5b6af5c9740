package dev.lmstudiosidecar.testsupport.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A downloaded model and its loaded instances. Instance state is guarded by the object's monitor
 * because tests (JUnit threads) and the event loops change it concurrently.
 */
final class EmulatedModel {

    /** LM Studio loads with a 4096-token context unless asked otherwise. */
    private static final int DEFAULT_CONTEXT = 4096;

    final String key;
    final String type; // "llm" | "embedding"
    final long sizeBytes;
    final String paramsString;
    final String quantization;
    final int maxContextLength;

    private final List<ModelInstance> instances = new ArrayList<>();
    private int loads;

    EmulatedModel(String key, String type, long sizeBytes, String paramsString, String quantization, int maxContextLength) {
        if (!"llm".equals(type) && !"embedding".equals(type)) {
            throw new IllegalArgumentException("type must be \"llm\" or \"embedding\": " + type);
        }
        this.key = key;
        this.type = type;
        this.sizeBytes = sizeBytes;
        this.paramsString = paramsString;
        this.quantization = quantization;
        this.maxContextLength = maxContextLength;
    }

    boolean isEmbedding() {
        return "embedding".equals(type);
    }

    int defaultContextLength() {
        return Math.min(DEFAULT_CONTEXT, maxContextLength);
    }

    /** Counts a load when it starts, so a test can see a JIT race while the loads are still running. */
    synchronized void loadStarted() {
        loads++;
    }

    synchronized int loadCount() {
        return loads;
    }

    /** Adds a copy even if one exists: that is what LM Studio does, and why the sidecar must single-flight loads. */
    synchronized ModelInstance addInstance(int contextLength) {
        String id = key;
        for (int n = 2; hasInstance(id); n++) {
            id = key + ":" + n;
        }
        ModelInstance instance = new ModelInstance(id, contextLength);
        instances.add(instance);
        return instance;
    }

    synchronized boolean hasInstance(String id) {
        return instances.stream().anyMatch(i -> i.id().equals(id));
    }

    synchronized boolean removeInstance(String id) {
        return instances.removeIf(i -> i.id().equals(id));
    }

    synchronized void evict() {
        instances.clear();
    }

    synchronized boolean isLoaded() {
        return !instances.isEmpty();
    }

    synchronized List<ModelInstance> instances() {
        return List.copyOf(instances);
    }

    // The metadata below is derived from the key: enough realism for capability inference in the sidecar.

    String publisher() {
        return key.contains("nomic") ? "nomic-ai" : "lmstudio-community";
    }

    String architecture() {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.contains("qwen")) return "qwen2";
        if (k.contains("phi")) return "phi3";
        if (k.contains("nomic")) return "nomic-bert";
        if (k.contains("mistral")) return "mistral";
        if (k.contains("gemma")) return "gemma3";
        return "llama";
    }

    /** "Q4_K_M" -> 4, "Q8_0" -> 8, "F16" -> 16; null when the name carries no number. */
    Integer bitsPerWeight() {
        if (quantization == null) {
            return null;
        }
        String digits = quantization.replaceAll("^[^0-9]*([0-9]+).*$", "$1");
        return digits.matches("[0-9]+") ? Integer.valueOf(digits) : null;
    }
}
