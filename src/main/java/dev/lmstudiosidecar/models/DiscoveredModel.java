package dev.lmstudiosidecar.models;

import java.util.List;
import java.util.Objects;

/**
 * One model as the server lists it, whatever listing it came from. Fields a listing does not
 * carry are "unknown": null for text, 0 for numbers, {@link LoadState#UNKNOWN} for the state.
 *
 * @param key              the model key requests name ({@code "model"} in a chat request)
 * @param instances        the loaded copies (LM Studio 0.4 lists them; empty when not loaded or not known)
 * @param sizeBytes        the model file's size, 0 when not listed
 * @param maxContextLength the longest context the model supports, 0 when not listed
 * @param quantization     e.g. {@code Q4_K_M}, null when not listed
 * @param paramsString     LM Studio's parameter count, e.g. {@code 7B}, {@code 3.8B}, {@code 137M}, null when not listed
 * @param parameterCount   the exact parameter count (llama.cpp's {@code meta.n_params}), 0 when not listed
 * @param architecture     e.g. {@code qwen2}, {@code llama}, null when not listed
 */
public record DiscoveredModel(
        String key,
        ModelType type,
        LoadState state,
        List<LoadedInstance> instances,
        long sizeBytes,
        int maxContextLength,
        String quantization,
        String paramsString,
        long parameterCount,
        String architecture) {

    public enum ModelType { LLM, EMBEDDING }

    public enum LoadState {
        LOADED, NOT_LOADED,
        /** The listing does not say (a generic OpenAI server's {@code /v1/models}). */
        UNKNOWN;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** One loaded copy: LM Studio names the first by the model key, the next ones {@code key:2}, {@code key:3}. */
    public record LoadedInstance(String id, int contextLength) {
        public LoadedInstance {
            Objects.requireNonNull(id, "id");
        }
    }

    public DiscoveredModel {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(state, "state");
        instances = List.copyOf(instances);
        if (key.isBlank()) {
            throw new IllegalArgumentException("a model key must not be blank");
        }
    }

    /** The same model with {@code loaded} as its copies in memory: loaded when there is one, else not loaded. */
    public DiscoveredModel withInstances(List<LoadedInstance> loaded) {
        return new DiscoveredModel(key, type, loaded.isEmpty() ? LoadState.NOT_LOADED : LoadState.LOADED, loaded,
                sizeBytes, maxContextLength, quantization, paramsString, parameterCount, architecture);
    }

    public boolean loaded() {
        return state == LoadState.LOADED;
    }

    public boolean embedding() {
        return type == ModelType.EMBEDDING;
    }
}
