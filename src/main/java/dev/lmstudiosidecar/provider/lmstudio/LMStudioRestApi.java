package dev.lmstudiosidecar.provider.lmstudio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.models.DiscoveryApi;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.KeepAliveClient;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailureException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
 * LM Studio's own REST API, the control plane: model listings, load and unload. These calls have
 * connection pools of their own, so that they never wait behind the streams that hold every
 * connection of the inference pool; and loads, which can take minutes, have theirs apart from
 * listings and unloads, so that a few long loads never hold up discovery. Answers are read whole
 * (they are small) and checked for LM Studio's error bodies, which can come with a 200.
 *
 * <p>DESIGN.md names the Quarkus REST Client for these calls. A plain Vert.x client serves them
 * instead: the sidecar has no JAX-RS stack to share it with (the REST Client would bring one into a
 * 64 MiB image for four calls), the 200-with-an-error quirk needs the raw status and body anyway, and
 * these JSON trees are read by hand, so there is nothing to register for native.
 */
@Singleton
public class LMStudioRestApi {

    /** A listing and an unload at once: the most the sidecar runs besides loads. */
    private static final int CONTROL_POOL_SIZE = 2;
    /** Loads of different models at once; more wait for a connection, within their load-timeout. */
    private static final int LOAD_POOL_SIZE = 4;
    private static final int WAIT_QUEUE = 64;

    private final Backend backend;
    private final KeepAliveClient control;
    private final KeepAliveClient loads;
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
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                .setKeepAliveTimeout((int) Math.max(1, config.poolIdleTimeout().toSeconds()))
                .setTcpNoDelay(true)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .setSsl(backend.tls());
        this.control = new KeepAliveClient(vertx, options, new PoolOptions().setHttp1MaxSize(CONTROL_POOL_SIZE).setMaxWaitQueueSize(WAIT_QUEUE));
        this.loads = new KeepAliveClient(vertx, options, new PoolOptions().setHttp1MaxSize(LOAD_POOL_SIZE).setMaxWaitQueueSize(WAIT_QUEUE));
    }

    public Backend backend() {
        return backend;
    }

    /** The listing {@code api} answers, as JSON; fails with an {@link UpstreamFailureException}. */
    public Future<JsonNode> list(DiscoveryApi api) {
        String path = api == DiscoveryApi.OPENAI ? backend.openAiPath("/models") : backend.rootPath(api.path());
        return call(control, HttpMethod.GET, path, null, connectTimeout, callTimeout, "lmstudio.discovery-timeout");
    }

    /** Loads one instance of {@code model}; the answer names it ({@code instance_id}). Waits up to {@code load-timeout}. */
    public Future<JsonNode> load(String model, OptionalInt contextLength) {
        // echo_load_config: the answer then says which context length LM Studio chose
        ObjectNode body = json.createObjectNode().put("model", model).put("echo_load_config", true);
        contextLength.ifPresent(length -> body.put("context_length", length));
        // A load may wait for a pooled connection behind other loads: that wait counts against its bound too.
        return call(loads, HttpMethod.POST, backend.rootPath("/api/v1/models/load"), body, loadTimeout, loadTimeout,
                "lmstudio.load-timeout");
    }

    public Future<JsonNode> unload(String instanceId) {
        ObjectNode body = json.createObjectNode().put("instance_id", instanceId);
        return call(control, HttpMethod.POST, backend.rootPath("/api/v1/models/unload"), body, connectTimeout, callTimeout,
                "lmstudio.discovery-timeout");
    }

    /**
     * @param obtainTimeout bound on getting a connection, pool wait included
     * @param timeout       bound on the silence after sending: LM Studio sends nothing until a load is done
     * @param timeoutKey    the setting that gives {@code timeout}, named when it runs out
     */
    private Future<JsonNode> call(KeepAliveClient http, HttpMethod method, String path, ObjectNode body, Duration obtainTimeout,
                                  Duration timeout, String timeoutKey) {
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setHost(backend.host())
                .setPort(backend.port())
                .setSsl(backend.tls())
                .setURI(path)
                .setConnectTimeout(obtainTimeout.toMillis())
                .setIdleTimeout(timeout.toMillis())
                .putHeader("Accept", "application/json");
        if (authorization != null) {
            options.putHeader("Authorization", authorization);
        }
        if (body != null) {
            options.putHeader("Content-Type", "application/json");
        }
        Buffer payload = body == null ? null : Buffer.buffer(body.toString());
        long started = System.nanoTime();
        boolean[] sent = {false};
        return http.send(options, payload, request -> {
                    sent[0] = true;
                    // One bound for the whole call: the wait for a pooled connection is taken off the silence allowed.
                    request.idleTimeout(Math.max(1, timeout.toMillis() - (System.nanoTime() - started) / 1_000_000));
                })
                .compose(response -> response.body().map(bytes -> new Answer(response.statusCode(), bytes.getBytes())))
                .recover(error -> Future.failedFuture(new UpstreamFailureException(transportFailure(error, sent[0], obtainTimeout, timeout, timeoutKey))))
                .compose(this::read);
    }

    /**
     * A timeout names its bound and setting (the default words speak of lmstudio.timeout, the
     * inference bound); one before the request was sent is a wait for a busy pool, and says so:
     * LM Studio never saw that call.
     */
    private UpstreamFailure transportFailure(Throwable error, boolean sent, Duration obtainTimeout, Duration timeout, String timeoutKey) {
        UpstreamFailure failure = UpstreamFailure.fromTransport(backend, error);
        if (failure.kind() != UpstreamFailure.Kind.TIMEOUT) {
            return failure;
        }
        if (!sent) {
            return new UpstreamFailure(UpstreamFailure.Kind.POOL_EXHAUSTED, backend, 0, "no connection to LM Studio's REST API came free"
                    + " within " + obtainTimeout.toMillis() + " ms; the call was not sent", null, null);
        }
        return new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, backend, 0, "no answer within " + timeout.toMillis() + " ms ("
                + timeoutKey + ")", null, null, timeoutKey);
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
        control.close();
        loads.close();
    }
}
