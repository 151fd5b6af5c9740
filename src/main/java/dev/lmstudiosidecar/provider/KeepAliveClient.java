package dev.lmstudiosidecar.provider;

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
 */
public final class KeepAliveClient {

    private final HttpClient pooled;
    /** Never reused: a request sent again here cannot meet a stale connection twice. */
    private final HttpClient fresh;
    /** Pooled connections that have carried a request; weak, so closed ones simply drop out. */
    private final Set<HttpConnection> used = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    public KeepAliveClient(Vertx vertx, HttpClientOptions options, PoolOptions pool) {
        this.pooled = vertx.createHttpClient(options, pool);
        this.fresh = vertx.createHttpClient(new HttpClientOptions(options).setKeepAlive(false), new PoolOptions(pool));
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
        pooled.request(options).onComplete(obtained -> {
            if (obtained.failed()) {
                // The pool handed out a connection that closed as the request was put on it: stale too.
                if (obtained.cause() instanceof HttpClosedException) {
                    sendFresh(options, body, onRequest, answer);
                } else {
                    answer.fail(obtained.cause());
                }
                return;
            }
            HttpClientRequest request = obtained.result();
            boolean reused = !used.add(request.connection());
            onRequest.accept(request);
            send(request, body).onComplete(answer::tryComplete, failure -> {
                if (reused && droppedBeforeAnswer(failure)) {
                    sendFresh(options, body, onRequest, answer);
                } else {
                    answer.fail(failure);
                }
            });
        });
        return answer.future();
    }

    private void sendFresh(RequestOptions options, Buffer body, Consumer<HttpClientRequest> onRequest, Promise<HttpClientResponse> answer) {
        fresh.request(options).onSuccess(onRequest::accept)
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
        pooled.close();
        fresh.close();
    }
}
