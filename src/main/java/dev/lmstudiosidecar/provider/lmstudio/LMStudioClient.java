package dev.lmstudiosidecar.provider.lmstudio;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.UpstreamCall;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The seed's "LMStudio Client": raw HTTP to one LM Studio server over a pooled keep-alive Vert.x
 * client. The pool holds {@code max-concurrent-requests} connections (Vert.x would keep 5 per
 * host).
 */
@ApplicationScoped
public class LMStudioClient {

    private final Backend backend;
    private final HttpClient http;
    private final long connectTimeoutMs;
    private final long idleTimeoutMs;

    LMStudioClient(Vertx vertx, LMStudioConfig config) {
        this.backend = Backend.of("lmstudio", config.baseUrl());
        this.connectTimeoutMs = config.connectTimeout().toMillis();
        this.idleTimeoutMs = config.timeout().toMillis();
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                // LM Studio's server closes idle keep-alive connections after a few seconds;
                // closing ours first avoids sending a request down a socket being closed.
                .setKeepAliveTimeout((int) Math.max(1, config.poolIdleTimeout().toSeconds()))
                .setTcpNoDelay(true)
                .setDecompressionSupported(false)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeoutMs))
                .setSsl(backend.tls());
        // The sidecar's own limiter admits at most max-concurrent-requests calls, so the pool
        // never has to queue; its small wait queue only covers a connection being replaced.
        PoolOptions pool = new PoolOptions()
                .setHttp1MaxSize(config.maxConcurrentRequests())
                .setMaxWaitQueueSize(config.maxConcurrentRequests());
        this.http = vertx.createHttpClient(options, pool);
    }

    public Backend backend() {
        return backend;
    }

    /**
     * Sends a request to an OpenAI route of the backend.
     *
     * @param suffixWithQuery the path after the OpenAI base, e.g. {@code /chat/completions?x=1}
     */
    public UpstreamCall sendOpenAi(HttpMethod method, String suffixWithQuery, MultiMap headers, Buffer body) {
        return send(method, backend.openAiPath(suffixWithQuery), headers, body);
    }

    private UpstreamCall send(HttpMethod method, String path, MultiMap headers, Buffer body) {
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setHost(backend.host())
                .setPort(backend.port())
                .setSsl(backend.tls())
                .setURI(path)
                .setHeaders(headers)
                .setConnectTimeout(connectTimeoutMs)
                .setIdleTimeout(idleTimeoutMs);
        return UpstreamCall.start(http, options, body);
    }

    @PreDestroy
    void close() {
        http.close();
    }
}
