package dev.lmstudiosidecar.models;

/** Told of every load and unload the sidecar makes (the metrics count them); JIT loads by LM Studio itself it never sees. */
public interface ModelLoadObserver {

    /** A load of {@code model} ended after {@code nanos}, loaded or not. */
    void loadEnded(String model, long nanos, boolean loaded);

    /** An instance of {@code model} was unloaded. */
    void unloaded(String model);
}
