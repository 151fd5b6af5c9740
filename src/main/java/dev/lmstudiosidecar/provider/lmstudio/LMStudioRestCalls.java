package dev.lmstudiosidecar.provider.lmstudio;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.models.DiscoveryApi;
import dev.lmstudiosidecar.provider.KeepAliveClient;
import io.smallrye.faulttolerance.api.AsynchronousNonBlocking;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ProcessingException;
import java.util.concurrent.CompletionException;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;

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
 * <p>One bean for every host (interceptors need a bean): each call names the host's REST clients ({@link HostRestClients}).
 */
@Singleton
public class LMStudioRestCalls {

    /**
     * The defaults of {@code lmstudio.discovery-timeout} and {@code lmstudio.load-timeout}, in the
     * annotations' unit (milliseconds): what holds while neither key is set.
     */
    static final long DISCOVERY_TIMEOUT_MILLIS = 5_000;
    static final long LOAD_TIMEOUT_MILLIS = 300_000;

    private final FaultToleranceDefaults.Bounds bounds;

    LMStudioRestCalls(LMStudioConfig config) {
        this.bounds = FaultToleranceDefaults.Bounds.read(config);
    }

    /** The bounds in force: {@code lmstudio.*}, or the Fault Tolerance keys that override them. */
    FaultToleranceDefaults.Bounds bounds() {
        return bounds;
    }

    /** The listing {@code api} names; one Fault Tolerance configuration for all three, {@code <this class>/list}. */
    @AsynchronousNonBlocking
    @Timeout(DISCOVERY_TIMEOUT_MILLIS)
    @Retry(maxRetries = 1, delay = 0, jitter = 0, retryOn = ConnectionDropped.class)
    public Uni<Response> list(HostRestClients host, DiscoveryApi api, ConnectionPermits.Lease lease) {
        return dropsMarked(held(lease, switch (api) {
            case LMSTUDIO_V1 -> host.control().listV1();
            case LMSTUDIO_V0 -> host.control().listV0();
            case OPENAI -> host.control().listOpenAi(host.openAiModels());
        }));
    }

    @AsynchronousNonBlocking
    @Timeout(DISCOVERY_TIMEOUT_MILLIS)
    @Retry(maxRetries = 1, delay = 0, jitter = 0, retryOn = ConnectionDropped.class)
    public Uni<Response> greeting(HostRestClients host, ConnectionPermits.Lease lease) {
        return dropsMarked(held(lease, host.control().greeting()));
    }

    /** Sent once: LM Studio would start a second copy of the model for a second request. */
    @AsynchronousNonBlocking
    @Timeout(LOAD_TIMEOUT_MILLIS)
    public Uni<Response> load(HostRestClients host, ObjectNode body, ConnectionPermits.Lease lease) {
        return held(lease, host.loads().load(body));
    }

    /** Sent again on a dropped kept-alive connection only: then LM Studio did not get it. */
    @AsynchronousNonBlocking
    @Timeout(DISCOVERY_TIMEOUT_MILLIS)
    @Retry(maxRetries = 1, delay = 0, jitter = 0, retryOn = ConnectionDropped.class)
    public Uni<Response> unload(HostRestClients host, ObjectNode body, ConnectionPermits.Lease lease) {
        return dropsMarked(held(lease, host.control().unload(body)));
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
}
