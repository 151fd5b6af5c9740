package dev.lmstudiosidecar.provider.lmstudio;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.models.DiscoveryApi;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.KeepAliveClient;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.faulttolerance.api.AsynchronousNonBlocking;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ProcessingException;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.jboss.resteasy.reactive.client.api.QuarkusRestClientProperties;

/**
 * One HTTP exchange with LM Studio's REST API per method, guarded by MicroProfile Fault Tolerance:
 * each attempt is bounded by {@code @Timeout}, and the idempotent calls are sent once more when a
 * kept-alive connection turns out to have been closed by the server ({@code @Retry} on
 * {@link ConnectionDropped} only: a timeout, a refused connection or an error answer is not sent
 * again). The annotations' values are the defaults of {@code lmstudio.*}; the values actually used
 * come from those keys ({@link FaultToleranceDefaults}), and the SmallRye keys
 * {@code smallrye.faulttolerance."<this class>/<method>".timeout.value} etc. win over them. No
 * {@code @CircuitBreaker}: the listing is the health check that drives LM Studio's own breaker
 * (and closes it when LM Studio answers again); a breaker in front of it would blind that check.
 *
 * <p>Two REST clients, two connection pools: loads, which take minutes, on one (a fresh connection
 * each: a load is no call to send twice, so it must not meet a stale kept-alive connection), and
 * everything else on the other, so that long loads never hold up a listing. Their read timeout
 * (which Vert.x also applies to the wait for a pooled connection) is the longest timeout of their
 * calls: a backstop that frees the connection of an attempt the {@code @Timeout} gave up on.
 */
@Singleton
public class LMStudioRestCalls {

    /** A listing and an unload at once: the most the sidecar runs besides loads. */
    static final int CONTROL_POOL_SIZE = 2;
    /** Loads of different models at once; more wait for a connection, within their load-timeout. */
    static final int LOAD_POOL_SIZE = 4;
    /**
     * The defaults of {@code lmstudio.discovery-timeout} and {@code lmstudio.load-timeout}, in the
     * annotations' unit (milliseconds): what holds while neither key is set.
     */
    static final long DISCOVERY_TIMEOUT_MILLIS = 5_000;
    static final long LOAD_TIMEOUT_MILLIS = 300_000;

    private final LMStudioRestClient control;
    private final LMStudioRestClient loads;
    /** The OpenAI listing's path from the server root, without its leading slash: {@code v1/models}. */
    private final String openAiModels;
    private final FaultToleranceDefaults.Bounds bounds;

    LMStudioRestCalls(LMStudioConfig config, LMStudioClient inference) {
        Backend backend = inference.backend();
        String root = backend.rootPath("");
        this.openAiModels = backend.openAiPath("/models").substring(root.length()).replaceFirst("^/+", "");
        this.bounds = FaultToleranceDefaults.Bounds.read(config);
        URI rootUri = URI.create((backend.tls() ? "https" : "http") + "://" + backend.host() + ":" + backend.port() + root + "/");
        this.control = build(rootUri, config, CONTROL_POOL_SIZE, true, bounds.control());
        this.loads = build(rootUri, config, LOAD_POOL_SIZE, false, bounds.load());
    }

    /** The bounds in force: {@code lmstudio.*}, or the Fault Tolerance keys that override them. */
    FaultToleranceDefaults.Bounds bounds() {
        return bounds;
    }

    private static LMStudioRestClient build(URI root, LMStudioConfig config, int poolSize, boolean keepAlive, Duration readTimeout) {
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
        config.apiKey().ifPresent(key -> builder.property(QuarkusRestClientProperties.STATIC_HEADERS, Map.of("Authorization", "Bearer " + key)));
        return builder.build(LMStudioRestClient.class);
    }

    /** The listing {@code api} names; one Fault Tolerance configuration for all three, {@code <this class>/list}. */
    @AsynchronousNonBlocking
    @Timeout(DISCOVERY_TIMEOUT_MILLIS)
    @Retry(maxRetries = 1, delay = 0, jitter = 0, retryOn = ConnectionDropped.class)
    public Uni<Response> list(DiscoveryApi api, ConnectionPermits.Lease lease) {
        return dropsMarked(held(lease, switch (api) {
            case LMSTUDIO_V1 -> control.listV1();
            case LMSTUDIO_V0 -> control.listV0();
            case OPENAI -> control.listOpenAi(openAiModels);
        }));
    }

    @AsynchronousNonBlocking
    @Timeout(DISCOVERY_TIMEOUT_MILLIS)
    @Retry(maxRetries = 1, delay = 0, jitter = 0, retryOn = ConnectionDropped.class)
    public Uni<Response> greeting(ConnectionPermits.Lease lease) {
        return dropsMarked(held(lease, control.greeting()));
    }

    /** Sent once: LM Studio would start a second copy of the model for a second request. */
    @AsynchronousNonBlocking
    @Timeout(LOAD_TIMEOUT_MILLIS)
    public Uni<Response> load(ObjectNode body, ConnectionPermits.Lease lease) {
        return held(lease, loads.load(body));
    }

    /** Sent again on a dropped kept-alive connection only: then LM Studio did not get it. */
    @AsynchronousNonBlocking
    @Timeout(DISCOVERY_TIMEOUT_MILLIS)
    @Retry(maxRetries = 1, delay = 0, jitter = 0, retryOn = ConnectionDropped.class)
    public Uni<Response> unload(ObjectNode body, ConnectionPermits.Lease lease) {
        return dropsMarked(held(lease, control.unload(body)));
    }

    /** The exchange, told to {@code lease} as it starts and ends (answered, failed or cancelled). */
    private static Uni<Response> held(ConnectionPermits.Lease lease, Uni<Response> exchange) {
        return exchange.onSubscription().invoke(lease::exchangeStarted).onTermination().invoke(lease::exchangeEnded);
    }

    /**
     * A connection closed or reset before any answer: most likely a kept-alive one the server had
     * closed (llama.cpp's llama-server closes them after a stream; any server may close an idle one
     * as the pool hands it out). Marked so that {@code @Retry} sends the call again, on another connection.
     */
    private static Uni<Response> dropsMarked(Uni<Response> call) {
        return call.onFailure(failure -> KeepAliveClient.droppedBeforeAnswer(transportCause(failure))).transform(ConnectionDropped::new);
    }

    /** What the HTTP client met, without the REST Client's and Fault Tolerance's wrappers. */
    static Throwable transportCause(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof ProcessingException || cause instanceof CompletionException || cause instanceof ConnectionDropped)
                && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** The call broke on its connection before any answer; its cause says how. */
    public static final class ConnectionDropped extends RuntimeException {
        ConnectionDropped(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    @PreDestroy
    void close() {
        closeQuietly(control);
        closeQuietly(loads);
    }

    private static void closeQuietly(Closeable client) {
        try {
            client.close();
        } catch (IOException | RuntimeException ignored) {
            // closing at shutdown: nothing left to tell
        }
    }
}
