package dev.lmstudiosidecar.provider;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

/**
 * A pooled keep-alive HTTP client that copes with servers which close kept-alive connections.
 *
 * <p>llama.cpp's llama-server answers {@code Keep-Alive: timeout=5, max=100} and then closes the
 * connection after a streamed answer; any server may close an idle one just as the pool hands it
 * out. A request sent on such a connection fails before any byte of the answer ("Connection was
 * closed", or a reset). That is the pool's stale connection, not a failing backend: the request is
 * sent again at once on a fresh connection, which is no retry (no delay, no retry budget) and no
 * failure for the circuit breaker. Only a connection that already served a request is suspected;
 * a fresh one that breaks is the backend's failure, reported as such.
 *
 * <p>Each event loop has pools of its own. A connection belongs to the event loop that opened it, and
 * Vert.x hands every event of a connection lent to another loop's request over to that loop, under a
 * lock the two loops then contend for: three to four more thread wake-ups per request (measured with
 * two loops), each tens to hundreds of microseconds on a small CPU share. A request sent from an event
 * loop therefore only uses connections that loop opened; one sent from any other thread (a worker, a
 * timer) uses shared pools. Each pool is bounded by the pool size, so up to that many idle connections
 * per event loop may stay open until the idle timeout; the sidecar's limiter still bounds the calls in
 * flight.
 */
public final class KeepAliveClient {

    private final Vertx vertx;
    private final HttpClientOptions options;
    private final PoolOptions pool;
    private final Pools shared;
    private final ConcurrentMap<Thread, Pools> byEventLoop = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public KeepAliveClient(Vertx vertx, HttpClientOptions options, PoolOptions pool) {
        this.vertx = vertx;
        this.options = new HttpClientOptions(options);
        this.pool = new PoolOptions(pool);
        this.shared = new Pools();
    }

    /** A pool of kept-alive connections, and its companion for a request sent again on a fresh one. */
    private final class Pools {
        final HttpClient pooled = vertx.createHttpClient(options, pool);
        /** Never reused: a request sent again here cannot meet a stale connection twice. */
        final HttpClient fresh = vertx.createHttpClient(new HttpClientOptions(options).setKeepAlive(false), new PoolOptions(pool));
        /** Pooled connections that have carried a request; weak, so closed ones simply drop out. */
        final Set<HttpConnection> used = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

        void close() {
            pooled.close();
            fresh.close();
        }
    }

    /** The calling event loop's pools; the shared ones off any event loop. */
    private Pools pools() {
        if (!Context.isOnEventLoopThread() || closed) {
            return shared;
        }
        Pools mine = byEventLoop.computeIfAbsent(Thread.currentThread(), loop -> new Pools());
        if (closed) { // close() ran meanwhile and may have missed the pools just made
            mine.close();
        }
        return mine;
    }

    /**
     * Sends one request and completes with the answer's head.
     *
     * @param body      null for none
     * @param onRequest told of each request as it is obtained, before it is sent (the pooled one, then
     *                  a fresh one if the pooled connection was stale): to cancel it or bound its silence
     */
    public Future<HttpClientResponse> send(RequestOptions options, Buffer body, Consumer<HttpClientRequest> onRequest) {
        Promise<HttpClientResponse> answer = Promise.promise();
        Pools pools = pools();
        pools.pooled.request(options).onComplete(obtained -> {
            if (obtained.failed()) {
                // The pool handed out a connection that closed as the request was put on it: stale too.
                if (obtained.cause() instanceof HttpClosedException) {
                    sendFresh(pools, options, body, onRequest, answer);
                } else {
                    answer.fail(obtained.cause());
                }
                return;
            }
            HttpClientRequest request = obtained.result();
            boolean reused = !pools.used.add(request.connection());
            onRequest.accept(request);
            send(request, body).onComplete(answer::tryComplete, failure -> {
                if (reused && droppedBeforeAnswer(failure)) {
                    sendFresh(pools, options, body, onRequest, answer);
                } else {
                    answer.fail(failure);
                }
            });
        });
        return answer.future();
    }

    private static void sendFresh(Pools pools, RequestOptions options, Buffer body, Consumer<HttpClientRequest> onRequest,
                                  Promise<HttpClientResponse> answer) {
        pools.fresh.request(options).onSuccess(onRequest::accept)
                .compose(again -> send(again, body))
                .onComplete(answer);
    }

    private static Future<HttpClientResponse> send(HttpClientRequest request, Buffer body) {
        return body == null ? request.send() : request.send(body);
    }

    /**
     * The connection closed or was reset before any byte of the answer: most likely a kept-alive one the
     * server had closed. A timeout is not that, nor is a connection that could not be opened at all.
     */
    public static boolean droppedBeforeAnswer(Throwable failure) {
        return failure instanceof HttpClosedException || (failure instanceof IOException && !(failure instanceof ConnectException
                || failure instanceof UnknownHostException || failure instanceof NoRouteToHostException));
    }

    public void close() {
        closed = true;
        shared.close();
        byEventLoop.values().forEach(Pools::close);
    }
}
