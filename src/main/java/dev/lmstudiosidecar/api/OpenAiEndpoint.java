package dev.lmstudiosidecar.api;

/** The OpenAI routes the sidecar understands; everything else under {@code /v1} passes through. */
public enum OpenAiEndpoint {
    CHAT_COMPLETIONS("messages", "chat"),
    COMPLETIONS("prompt", "completions"),
    EMBEDDINGS("input", "embeddings"),
    MODELS(null, null),
    PASS_THROUGH(null, null);

    private final String requiredField;
    private final String cacheOperation;

    OpenAiEndpoint(String requiredField, String cacheOperation) {
        this.requiredField = requiredField;
        this.cacheOperation = cacheOperation;
    }

    /** The response cache's name for what this endpoint answers ({@code chat}, ...), or null when it keeps nothing of it. */
    public String cacheOperation() {
        return cacheOperation;
    }

    /** The body field that must be present and non-empty, or null when the endpoint has no body. */
    public String requiredField() {
        return requiredField;
    }

    public boolean generates() {
        return requiredField != null;
    }

    /** A chat or a completion: another model can answer it (routing, fallback); an embedding is tied to its model's vectors. */
    public boolean routable() {
        return this == CHAT_COMPLETIONS || this == COMPLETIONS;
    }

    /** @param method the HTTP method @param suffix the path after {@code /v1}, without query */
    public static OpenAiEndpoint of(String method, String suffix) {
        boolean post = "POST".equals(method);
        return switch (suffix) {
            case "/chat/completions" -> post ? CHAT_COMPLETIONS : PASS_THROUGH;
            case "/completions" -> post ? COMPLETIONS : PASS_THROUGH;
            case "/embeddings" -> post ? EMBEDDINGS : PASS_THROUGH;
            case "/models" -> "GET".equals(method) ? MODELS : PASS_THROUGH;
            default -> PASS_THROUGH;
        };
    }
}
