package dev.lmstudiosidecar.provider.lmstudio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.models.DiscoveryApi;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailureException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * LM Studio's own REST API, the control plane: model listings, load and unload. These calls have a
 * small connection pool of their own, so that a listing or a load never waits behind the streams
 * that hold every connection of the inference pool. Answers are read whole (they are small) and
 * checked for LM Studio's error bodies, which can come with a 200.
 */
@Singleton
public class LMStudioRestApi {

    /** A listing, a load and an unload at once is the most the sidecar ever runs. */
    private static final int POOL_SIZE = 3;
    private static final int WAIT_QUEUE = 64;

    private final Backend backend;
    private final HttpClient http;
    private final ObjectMapper json;
    private final LMStudioErrorReader errors;
    private final Duration connectTimeout;
    private final Duration callTimeout;
    private final Duration loadTimeout;
    private final String authorization;

    LMStudioRestApi(Vertx vertx, LMStudioConfig config, LMStudioClient inference, ObjectMapper json) {
        this.backend = inference.backend();
        this.json = json;
        this.errors = new LMStudioErrorReader(json);
        this.connectTimeout = config.connectTimeout();
        this.callTimeout = config.discoveryTimeout();
        this.loadTimeout = config.loadTimeout();
        this.authorization = config.apiKey().map(key -> "Bearer " + key).orElse(null);
        this.http = vertx.createHttpClient(new HttpClientOptions()
                        .setKeepAlive(true)
                        .setKeepAliveTimeout((int) Math.max(1, config.poolIdleTimeout().toSeconds()))
                        .setTcpNoDelay(true)
                        .setSsl(backend.tls()),
                new PoolOptions().setHttp1MaxSize(POOL_SIZE).setMaxWaitQueueSize(WAIT_QUEUE));
    }

    public Backend backend() {
        return backend;
    }

    /** The listing {@code api} answers, as JSON; fails with an {@link UpstreamFailureException}. */
    public Future<JsonNode> list(DiscoveryApi api) {
        String path = api == DiscoveryApi.OPENAI ? backend.openAiPath("/models") : backend.rootPath(api.path());
        return call(HttpMethod.GET, path, null, callTimeout);
    }

    /** Loads one instance of {@code model}; the answer names it ({@code instance_id}). Waits up to {@code load-timeout}. */
    public Future<JsonNode> load(String model, OptionalInt contextLength) {
        ObjectNode body = json.createObjectNode().put("model", model);
        contextLength.ifPresent(length -> body.put("context_length", length));
        return call(HttpMethod.POST, backend.rootPath("/api/v1/models/load"), body, loadTimeout);
    }

    public Future<JsonNode> unload(String instanceId) {
        ObjectNode body = json.createObjectNode().put("instance_id", instanceId);
        return call(HttpMethod.POST, backend.rootPath("/api/v1/models/unload"), body, callTimeout);
    }

    private Future<JsonNode> call(HttpMethod method, String path, ObjectNode body, Duration timeout) {
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setHost(backend.host())
                .setPort(backend.port())
                .setSsl(backend.tls())
                .setURI(path)
                .setConnectTimeout(connectTimeout.toMillis())
                // LM Studio sends nothing until a load is done: the idle bound is the bound on the call.
                .setIdleTimeout(timeout.toMillis())
                .putHeader("Accept", "application/json");
        if (authorization != null) {
            options.putHeader("Authorization", authorization);
        }
        if (body != null) {
            options.putHeader("Content-Type", "application/json");
        }
        Buffer payload = body == null ? null : Buffer.buffer(body.toString());
        return http.request(options)
                .compose(request -> payload == null ? request.send() : request.send(payload))
                .compose(response -> response.body().map(bytes -> new Answer(response.statusCode(), bytes.getBytes())))
                .recover(error -> Future.failedFuture(new UpstreamFailureException(UpstreamFailure.fromTransport(backend, error))))
                .compose(this::read);
    }

    private record Answer(int status, byte[] body) {
    }

    private Future<JsonNode> read(Answer answer) {
        Optional<UpstreamFailure> failure = errors.read(backend, answer.status(), answer.body());
        if (failure.isPresent()) {
            return Future.failedFuture(new UpstreamFailureException(failure.get()));
        }
        if (answer.status() < 200 || answer.status() >= 300) {
            return Future.failedFuture(new UpstreamFailureException(new UpstreamFailure(UpstreamFailure.Kind.REJECTED, backend,
                    answer.status(), "HTTP " + answer.status(), null, null)));
        }
        try {
            JsonNode root = answer.body().length == 0 ? null : json.readTree(answer.body());
            if (root == null || !root.isObject()) {
                throw new IOException("the answer is not a JSON object");
            }
            return Future.succeededFuture(root);
        } catch (IOException notJson) {
            return Future.failedFuture(new UpstreamFailureException(new UpstreamFailure(UpstreamFailure.Kind.SERVER_ERROR, backend,
                    answer.status(), "the answer is not JSON: " + notJson.getMessage(), null, null)));
        }
    }

    @PreDestroy
    void close() {
        http.close();
    }
}
