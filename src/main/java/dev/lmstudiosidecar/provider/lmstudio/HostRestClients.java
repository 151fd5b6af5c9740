package dev.lmstudiosidecar.provider.lmstudio;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.provider.Backend;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.resteasy.reactive.client.api.QuarkusRestClientProperties;

/**
 * One host's REST clients for LM Studio's REST API, two connection pools: loads, which take minutes,
 * on one (a fresh connection each: a load is no call to send twice, so it must not meet a stale
 * kept-alive connection), and everything else on the other, so that long loads never hold up a
 * listing. Their read timeout (which Vert.x also applies to the wait for a pooled connection) is the
 * longest timeout of their calls: a backstop that frees the connection of an attempt the
 * {@code @Timeout} of {@link LMStudioRestCalls} gave up on.
 *
 * @param openAiModels the OpenAI listing's path from the server root, without its leading slash: {@code v1/models}
 */
public record HostRestClients(LMStudioRestClient control, LMStudioRestClient loads, String openAiModels) implements Closeable {

    /** A listing and an unload at once: the most the sidecar runs besides loads. */
    static final int CONTROL_POOL_SIZE = 2;
    /** Loads of different models at once; more wait for a connection, within their load-timeout. */
    static final int LOAD_POOL_SIZE = 4;

    /** @param apiKey sent as {@code Authorization: Bearer} on every call, for an LM Studio with authentication on */
    public static HostRestClients build(Backend backend, LMStudioConfig config, Optional<String> apiKey, LMStudioRestCalls calls) {
        FaultToleranceDefaults.Bounds bounds = calls.bounds();
        String root = backend.rootPath("");
        String openAiModels = backend.openAiPath("/models").substring(root.length()).replaceFirst("^/+", "");
        URI rootUri = URI.create((backend.tls() ? "https" : "http") + "://" + hostPart(backend.host()) + ":" + backend.port() + root + "/");
        return new HostRestClients(build(rootUri, config, apiKey, CONTROL_POOL_SIZE, true, bounds.control()),
                build(rootUri, config, apiKey, LOAD_POOL_SIZE, false, bounds.load()), openAiModels);
    }

    /** An IPv6 address in a URI stands in brackets; {@link URI#getHost()} keeps them, a bare one is added them. */
    private static String hostPart(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static LMStudioRestClient build(URI root, LMStudioConfig config, Optional<String> apiKey, int poolSize, boolean keepAlive,
                                            Duration readTimeout) {
        QuarkusRestClientBuilder builder = QuarkusRestClientBuilder.newBuilder()
                .baseUri(root)
                .connectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                // Errors are answers here: the status and body are read, whatever the status.
                .disableDefaultMapper(true)
                .followRedirects(false)
                .property(QuarkusRestClientProperties.CONNECTION_POOL_SIZE, poolSize)
                .property(QuarkusRestClientProperties.KEEP_ALIVE_ENABLED, keepAlive)
                // Idle connections close before LM Studio closes them under a request.
                .property(QuarkusRestClientProperties.CONNECTION_TTL, (int) Math.max(1, config.poolIdleTimeout().toSeconds()))
                .httpClientOptionsCustomizer(options -> options.setTcpNoDelay(true));
        apiKey.ifPresent(key -> builder.property(QuarkusRestClientProperties.STATIC_HEADERS, Map.of("Authorization", "Bearer " + key)));
        return builder.build(LMStudioRestClient.class);
    }

    @Override
    public void close() {
        closeQuietly(control);
        closeQuietly(loads);
    }

    private static void closeQuietly(Closeable client) {
        try {
            client.close();
        } catch (IOException | RuntimeException ignored) {
            // closing at shutdown or with its host: nothing left to tell
        }
    }
}
