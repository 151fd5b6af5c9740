package dev.lmstudiosidecar.metrics;

/** The OpenTelemetry GenAI {@code gen_ai.operation.name} of each endpoint the sidecar measures. */
public enum GenAiOperation {
    CHAT("chat"),
    TEXT_COMPLETION("text_completion"),
    EMBEDDINGS("embeddings");

    private final String wireName;

    GenAiOperation(String wireName) {
        this.wireName = wireName;
    }

    /** The tag value, as the semantic conventions spell it. */
    public String wireName() {
        return wireName;
    }

    /** Embeddings produce no output tokens: their series would stay empty. */
    public boolean generates() {
        return this != EMBEDDINGS;
    }
}
