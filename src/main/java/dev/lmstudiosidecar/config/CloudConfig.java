package dev.lmstudiosidecar.config;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** The cloud provider the fallback chain ends with: any OpenAI-compatible endpoint. */
@ConfigMapping(prefix = "cloud")
public interface CloudConfig {

    Optional<String> baseUrl();

    /** Read from env {@code CLOUD_API_KEY}; never logged. */
    Optional<String> apiKey();

    /** A file holding the API key (a mounted Kubernetes secret), used when {@link #apiKey()} is unset. */
    Optional<Path> apiKeyFile();

    Optional<String> defaultModel();

    /** A cloud model per task type, e.g. {@code cloud.models.coding=gpt-4o}. */
    Map<String, String> models();
}
