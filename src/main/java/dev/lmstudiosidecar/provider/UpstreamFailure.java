package dev.lmstudiosidecar.provider;

import io.vertx.core.http.ConnectionPoolTooBusyException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/**
 * Why a call to a backend did not give a usable answer, in provider terms. The API layer turns it
 * into an OpenAI error; the resilience layer decides from {@link #kind()} whether to retry.
 *
 * @param upstreamStatus the status the backend answered, or 0 when it answered nothing
 * @param message        the backend's own words where it gave any, else what happened
 * @param boundSetting   for a timeout of another bound than {@code lmstudio.timeout} (a load, a listing):
 *                       the setting that gives it, which the message names; else null
 */
public record UpstreamFailure(Kind kind, Backend backend, int upstreamStatus, String message, String code, String param,
                              String boundSetting) {

    public UpstreamFailure(Kind kind, Backend backend, int upstreamStatus, String message, String code, String param) {
        this(kind, backend, upstreamStatus, message, code, param, null);
    }

    /** The same failure told in other words. */
    public UpstreamFailure withMessage(String newMessage) {
        return new UpstreamFailure(kind, backend, upstreamStatus, newMessage, code, param, boundSetting);
    }

    public enum Kind {
        /** The backend does not know the model. */
        MODEL_NOT_FOUND,
        /** The backend knows the model but it is not loaded and will not be loaded for this call. */
        MODEL_NOT_LOADED,
        /** The backend does not serve this route (LM Studio answers 200 with an error for these). */
        UNKNOWN_ENDPOINT,
        /** The backend refused the request itself (a 4xx): sending it again would not help. */
        REJECTED,
        /** The backend failed (a 5xx or an error body with 200). */
        SERVER_ERROR,
        /** No connection could be made. */
        UNREACHABLE,
        /** The sidecar's circuit breaker of the backend refused the call: it kept failing. Nothing was sent. */
        CIRCUIT_OPEN,
        /** The backend stopped answering for longer than allowed. */
        TIMEOUT,
        /** Every pooled connection is busy and the wait queue is full. */
        POOL_EXHAUSTED,
        /** The connection broke before the answer was complete. */
        CONNECTION_LOST
    }

    /** Classifies what the HTTP client threw while calling {@code backend}. */
    public static UpstreamFailure fromTransport(Backend backend, Throwable error) {
        Kind kind;
        if (error instanceof ConnectException || error instanceof UnknownHostException
                || error instanceof NoRouteToHostException || isConnectTimeout(error)) {
            kind = Kind.UNREACHABLE;
        } else if (error instanceof TimeoutException) {
            kind = Kind.TIMEOUT;
        } else if (error instanceof ConnectionPoolTooBusyException) {
            kind = Kind.POOL_EXHAUSTED;
        } else {
            kind = Kind.CONNECTION_LOST; // a closed or reset connection, or anything else that broke the exchange
        }
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        return new UpstreamFailure(kind, backend, 0, message, null, null);
    }

    private static boolean isConnectTimeout(Throwable error) {
        // Netty's connect timeout is a ConnectException subclass in recent versions, but not in all.
        return error.getClass().getName().equals("io.netty.channel.ConnectTimeoutException");
    }
}
