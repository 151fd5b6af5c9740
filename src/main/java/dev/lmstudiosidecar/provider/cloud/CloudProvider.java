package dev.lmstudiosidecar.provider.cloud;

import dev.lmstudiosidecar.api.TaskType;
import dev.lmstudiosidecar.config.CloudConfig;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.BackendClient;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Optional;

/**
 * The cloud provider the fallback chain ends with: any OpenAI-compatible endpoint. Its API key
 * comes from {@code cloud.api-key} (env {@code CLOUD_API_KEY}) or a file, is sent only to that
 * endpoint, and is never logged or echoed: errors name the endpoint, never the key.
 */
@Singleton
public class CloudProvider {

    private final CloudConfig config;
    private final boolean enabledByDefault;
    private final Optional<BackendClient> client;

    CloudProvider(Vertx vertx, CloudConfig config, LMStudioConfig lmstudio) {
        this.config = config;
        this.enabledByDefault = lmstudio.enableCloudFallback();
        this.client = config.baseUrl().map(url -> new BackendClient(vertx, Backend.of("cloud", url),
                new BackendClient.Settings(lmstudio.maxConcurrentRequests(), lmstudio.poolIdleTimeout(),
                        lmstudio.connectTimeout(), lmstudio.timeout()),
                apiKey(config)));
    }

    /** Whether a request may end on the cloud: its own hint first, else {@code lmstudio.enable-cloud-fallback}. */
    public boolean allowedFor(Optional<Boolean> requestHint) {
        return client.isPresent() && requestHint.orElse(enabledByDefault);
    }

    /** The cloud model for a task: {@code cloud.models.<task>}, else {@code cloud.default-model}. */
    public Optional<String> modelFor(Optional<TaskType> task) {
        return task.map(t -> config.models().get(t.wireName().toLowerCase(Locale.ROOT))).or(config::defaultModel);
    }

    public Optional<BackendClient> client() {
        return client;
    }

    private static Optional<String> apiKey(CloudConfig config) {
        if (config.apiKey().isPresent()) {
            return config.apiKey().map(String::trim);
        }
        return config.apiKeyFile().map(file -> {
            try {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new IllegalStateException("cloud.api-key-file " + file + " cannot be read: " + e.getMessage(), e);
            }
        });
    }

    @PreDestroy
    void shutdown() {
        client.ifPresent(BackendClient::close);
    }
}
