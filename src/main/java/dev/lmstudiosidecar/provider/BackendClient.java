package dev.lmstudiosidecar.provider;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.Optional;

/**
 * Raw HTTP to one OpenAI-compatible backend over a pooled keep-alive Vert.x client: LM Studio,
 * or the cloud provider the fallback chain ends with.
 */
public class BackendClient {

    /**
     * @param poolSize         connections kept to the backend; the sidecar's limiter admits no more calls than this
     * @param poolIdleTimeout  idle connections close after this, before the server closes them under a request
     * @param connectTimeout   bound on opening a TCP connection
     * @param headersTimeout   bound on the wait for the answer's head (JIT loads included)
     * @param waitQueueSize    calls that may wait for a pooled connection; beyond it they fail at once
     */
    public record Settings(int poolSize, int waitQueueSize, Duration poolIdleTimeout, Duration connectTimeout, Duration headersTimeout) {
    }

    private final Backend backend;
    private final KeepAliveClient http;
    private final Settings settings;
    private final String authorization;

    /** @param bearerToken sent as {@code Authorization} instead of the caller's, when present (the cloud key) */
    public BackendClient(Vertx vertx, Backend backend, Settings settings, Optional<String> bearerToken) {
        this.backend = backend;
        this.settings = settings;
        this.authorization = bearerToken.map(token -> "Bearer " + token).orElse(null);
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                .setKeepAliveTimeout((int) Math.max(1, settings.poolIdleTimeout().toSeconds()))
                .setTcpNoDelay(true)
                .setDecompressionSupported(false)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()))
                .setSsl(backend.tls());
        PoolOptions pool = new PoolOptions()
                .setHttp1MaxSize(settings.poolSize())
                .setMaxWaitQueueSize(settings.waitQueueSize());
        this.http = new KeepAliveClient(vertx, options, pool);
    }

    public Backend backend() {
        return backend;
    }

    /**
     * Sends a request to an OpenAI route of the backend.
     *
     * @param suffixWithQuery the path after the OpenAI base, e.g. {@code /chat/completions?x=1}
     * @param body            null for none
     */
    public UpstreamCall sendOpenAi(HttpMethod method, String suffixWithQuery, MultiMap headers, Buffer body) {
        if (authorization != null) {
            headers.set("Authorization", authorization);
        }
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setHost(backend.host())
                .setPort(backend.port())
                .setSsl(backend.tls())
                .setURI(backend.openAiPath(suffixWithQuery))
                .setHeaders(headers)
                .setConnectTimeout(settings.connectTimeout().toMillis())
                .setIdleTimeout(settings.headersTimeout().toMillis());
        return UpstreamCall.start(http, options, body);
    }

    public void close() {
        http.close();
    }
}
