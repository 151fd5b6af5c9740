package dev.lmstudiosidecar.provider.lmstudio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.models.DiscoveryApi;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailureException;
import dev.lmstudiosidecar.provider.lmstudio.FaultToleranceDefaults.Bound;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * LM Studio's own REST API, the control plane: model listings, load, unload and the greeting,
 * through the Quarkus REST Client ({@link LMStudioRestClient}), each call guarded by MicroProfile
 * Fault Tolerance in {@link LMStudioRestCalls} (timeouts from {@code lmstudio.discovery-timeout} and
 * {@code lmstudio.load-timeout}, a listing sent again when a kept-alive connection was stale). These
 * calls have connection pools of their own, so that they never wait behind the streams that hold
 * every connection of the inference pool; and loads, which can take minutes, have theirs apart
 * from listings and unloads, so that a few long loads never hold up discovery.
 *
 * <p>Every answer is taken as its raw status and body and checked for LM Studio's error bodies,
 * which can come with a 200 ({@link LMStudioErrorReader}); JSON is read as trees, so nothing needs
 * registering for native. Failures come as {@link UpstreamFailureException}s that say what happened
 * in the sidecar's words: a timeout names its bound and the setting that gives it, and a call that
 * waited for a busy pool until its bound ran out says it was not sent.
 */
public class LMStudioRestApi {

    /** Calls that may wait for a connection of one pool; beyond them a call fails at once. */
    private static final int WAIT_QUEUE = 64;

    private final Backend backend;
    private final LMStudioRestCalls calls;
    private final HostRestClients clients;
    private final ObjectMapper json;
    private final LMStudioErrorReader errors;
    private final ConnectionPermits control;
    private final ConnectionPermits loads;

    /** @param clients the host's own REST clients, closed with it ({@link #close()}) */
    public LMStudioRestApi(Vertx vertx, LMStudioConfig config, Backend backend, LMStudioRestCalls calls, HostRestClients clients, ObjectMapper json) {
        this.backend = backend;
        this.calls = calls;
        this.clients = clients;
        this.json = json;
        this.errors = new LMStudioErrorReader(json);
        // A load may wait for a connection behind other loads, up to its bound; once sent, it has its whole load-timeout.
        this.control = new ConnectionPermits(vertx, HostRestClients.CONTROL_POOL_SIZE, WAIT_QUEUE, config.connectTimeout());
        this.loads = new ConnectionPermits(vertx, HostRestClients.LOAD_POOL_SIZE, WAIT_QUEUE, config.loadTimeout());
    }

    public Backend backend() {
        return backend;
    }

    public void close() {
        clients.close();
    }

    /** The listing {@code api} answers, as JSON; fails with an {@link UpstreamFailureException}. */
    public Future<JsonNode> list(DiscoveryApi api) {
        return call(control, "list", lease -> calls.list(clients, api, lease));
    }

    /** LM Studio's greeting, {@code {"lmstudio":true}}; another server fails it (404, or a 200 with an error). */
    public Future<JsonNode> greeting() {
        return call(control, "greeting", lease -> calls.greeting(clients, lease));
    }

    /** Loads one instance of {@code model}; the answer names it ({@code instance_id}). Waits up to {@code load-timeout}. */
    public Future<JsonNode> load(String model, OptionalInt contextLength) {
        // echo_load_config: the answer then says which context length LM Studio chose
        ObjectNode body = json.createObjectNode().put("model", model).put("echo_load_config", true);
        contextLength.ifPresent(length -> body.put("context_length", length));
        return call(loads, "load", lease -> calls.load(clients, body, lease));
    }

    public Future<JsonNode> unload(String instanceId) {
        ObjectNode body = json.createObjectNode().put("instance_id", instanceId);
        return call(control, "unload", lease -> calls.unload(clients, body, lease));
    }

    /** @param call the {@link LMStudioRestCalls} method, by name (its bound), and the call itself */
    private Future<JsonNode> call(ConnectionPermits pool, String call, Function<ConnectionPermits.Lease, Uni<Response>> send) {
        Bound bound = calls.bounds().of(call);
        Context caller = Vertx.currentContext();
        return pool.acquire()
                .recover(notObtained -> Future.failedFuture(new UpstreamFailureException(new UpstreamFailure(
                        UpstreamFailure.Kind.POOL_EXHAUSTED, backend, 0, "no connection to LM Studio's REST API came free "
                        + notObtained.getMessage() + "; the call was not sent", null, null))))
                .compose(lease -> {
                    Promise<Response> answer = Promise.promise();
                    send.apply(lease).subscribe().with(
                            response -> on(caller, () -> {
                                lease.callEnded();
                                answer.complete(response);
                            }),
                            failure -> on(caller, () -> {
                                lease.callEnded();
                                answer.fail(new UpstreamFailureException(transportFailure(failure, bound)));
                            }));
                    return answer.future();
                })
                .compose(this::read);
    }

    /** Back on the caller's Vert.x context, if it had one: as an answer of the Vert.x client would come. */
    private static void on(Context caller, Runnable action) {
        if (caller == null || Vertx.currentContext() == caller) {
            action.run();
        } else {
            caller.runOnContext(ignored -> action.run());
        }
    }

    /** A timeout names its bound and setting (the default words speak of lmstudio.timeout, the inference bound). */
    private UpstreamFailure transportFailure(Throwable error, Bound bound) {
        Throwable cause = LMStudioRestCalls.transportCause(error);
        if (cause instanceof org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException || cause instanceof TimeoutException) {
            return new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, backend, 0, "no answer within " + bound.timeout().toMillis() + " ms ("
                    + bound.setting() + ")", null, null, bound.setting());
        }
        return UpstreamFailure.fromTransport(backend, cause);
    }

    private Future<JsonNode> read(Response response) {
        int status = response.getStatus();
        // Buffered whole by the REST Client: reading it does not block.
        byte[] body = response.hasEntity() ? response.readEntity(byte[].class) : new byte[0];
        Optional<UpstreamFailure> failure = errors.read(backend, status, body);
        if (failure.isPresent()) {
            return Future.failedFuture(new UpstreamFailureException(failure.get()));
        }
        if (status < 200 || status >= 300) {
            return Future.failedFuture(new UpstreamFailureException(new UpstreamFailure(UpstreamFailure.Kind.REJECTED, backend,
                    status, "HTTP " + status, null, null)));
        }
        try {
            JsonNode root = body.length == 0 ? null : json.readTree(body);
            if (root == null || !root.isObject()) {
                throw new IOException("the answer is not a JSON object");
            }
            return Future.succeededFuture(root);
        } catch (IOException notJson) {
            return Future.failedFuture(new UpstreamFailureException(new UpstreamFailure(UpstreamFailure.Kind.SERVER_ERROR, backend,
                    status, "the answer is not JSON: " + notJson.getMessage(), null, null)));
        }
    }
}
