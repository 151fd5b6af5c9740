package dev.lmstudiosidecar.provider.cloud;

import dev.lmstudiosidecar.config.CloudConfig;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.BackendClient;
import dev.lmstudiosidecar.provider.ProviderAdapter;
import dev.lmstudiosidecar.resilience.BackendBreakers;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The cloud provider the fallback chain ends with: any OpenAI-compatible endpoint. Its API key
 * comes from {@code cloud.api-key} (env {@code CLOUD_API_KEY}) or a file, is sent only to that
 * endpoint, and is never logged or echoed: errors name the endpoint, never the key.
 */
@Singleton
public class CloudProvider {

    public static final String BACKEND_NAME = "cloud";
    /** Tokens shaped like API keys ({@code sk-...}, also masked with stars), whoever's they are. */
    private static final Pattern KEY_LIKE = Pattern.compile("\\b(?:sk|pk|rk)-[A-Za-z0-9_*.\\-]{6,}");

    private final boolean enabledByDefault;
    private final Optional<BackendClient> client;
    private final Optional<CloudAdapter> adapter;
    private final String apiKey;

    CloudProvider(Vertx vertx, CloudConfig config, LMStudioConfig lmstudio, BackendBreakers breakers) {
        this.enabledByDefault = lmstudio.enableCloudFallback();
        this.apiKey = apiKey(config).orElse(null);
        this.client = config.baseUrl().map(url -> new BackendClient(vertx, Backend.of(BACKEND_NAME, url),
                // Cloud calls bypass LM Studio's limiter, so its pool queues them itself, bounded alike.
                new BackendClient.Settings(lmstudio.maxConcurrentRequests(), lmstudio.maxQueuedRequests(),
                        lmstudio.poolIdleTimeout(), lmstudio.connectTimeout(), lmstudio.timeout()),
                Optional.ofNullable(apiKey)));
        this.adapter = client.map(backend -> new CloudAdapter(backend, breakers));
    }

    /**
     * Whether a request may use the cloud: its own {@code fallback_to_cloud} first; else yes when
     * it prefers the cloud; else {@code lmstudio.enable-cloud-fallback}.
     */
    public boolean allowedFor(Optional<Boolean> requestHint, boolean prefersCloud) {
        return client.isPresent() && requestHint.orElse(prefersCloud || enabledByDefault);
    }

    public Optional<BackendClient> client() {
        return client;
    }

    /** The cloud as a place requests go, beside the LM Studio hosts. */
    public Optional<ProviderAdapter> adapter() {
        return adapter.map(ProviderAdapter.class::cast);
    }

    /**
     * Makes a cloud failure fit to show the app: the key, whole or masked (providers echo it in
     * 401 messages), and anything shaped like a key are cut out; and a refusal of the sidecar's
     * own credentials becomes a failure of the provider, not a 401 the app would blame on itself.
     */
    public UpstreamFailure sanitize(UpstreamFailure failure) {
        if (!failure.backend().name().equals(BACKEND_NAME)) {
            return failure;
        }
        String message = KEY_LIKE.matcher(failure.message()).replaceAll("[redacted]");
        if (apiKey != null && !apiKey.isEmpty()) {
            message = message.replace(apiKey, "[redacted]");
        }
        if (failure.kind() == UpstreamFailure.Kind.REJECTED && (failure.upstreamStatus() == 401 || failure.upstreamStatus() == 403)) {
            return new UpstreamFailure(UpstreamFailure.Kind.SERVER_ERROR, failure.backend(), failure.upstreamStatus(),
                    "the cloud provider refused the sidecar's credentials; check cloud.api-key (" + message + ")", null, null);
        }
        return failure.withMessage(message);
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
