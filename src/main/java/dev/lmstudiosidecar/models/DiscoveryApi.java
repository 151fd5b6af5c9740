package dev.lmstudiosidecar.models;

/**
 * The listings a server may have, richest first. LM Studio 0.4 has all three, 0.3 the last two,
 * a generic OpenAI-compatible server (llama.cpp, vLLM) only the last.
 */
public enum DiscoveryApi {
    /** LM Studio 0.4+: loaded instances, size, parameters, quantization; has load and unload. */
    LMSTUDIO_V1("/api/v1/models", true),
    /** LM Studio 0.3: a {@code state} of loaded or not-loaded per model; no load API. */
    LMSTUDIO_V0("/api/v0/models", false),
    /** Any OpenAI-compatible server: names only. With LM Studio's JIT on, every downloaded model. */
    OPENAI("/v1/models", false);

    private final String path;
    private final boolean canLoad;

    DiscoveryApi(String path, boolean canLoad) {
        this.path = path;
        this.canLoad = canLoad;
    }

    /** The path from the server root. */
    public String path() {
        return path;
    }

    /** Whether the server can be told to load and unload models ({@code /api/v1/models/load|unload}). */
    public boolean canLoad() {
        return canLoad;
    }
}
