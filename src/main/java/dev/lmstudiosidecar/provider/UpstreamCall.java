package dev.lmstudiosidecar.provider;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;

/**
 * One request in flight to a backend. {@link #cancel()} resets it at any point, before or after
 * the connection is obtained: resetting the HTTP/1.1 request closes its connection, which is what
 * makes LM Studio stop generating for a client that went away.
 */
public final class UpstreamCall {

    private final Promise<HttpClientResponse> response = Promise.promise();
    private volatile HttpClientRequest request;
    private volatile boolean cancelled;

    private UpstreamCall() {
    }

    /** Obtains a connection from {@code http}'s pool and sends the request with {@code body} (null: none). */
    public static UpstreamCall start(KeepAliveClient http, RequestOptions options, Buffer body) {
        UpstreamCall call = new UpstreamCall();
        http.send(options, body, call::attach).onComplete(call.response::tryComplete, call.response::tryFail);
        return call;
    }

    public Future<HttpClientResponse> response() {
        return response.future();
    }

    public void cancel() {
        cancelled = true;
        HttpClientRequest current = request;
        if (current != null) {
            current.reset();
        }
    }

    private void attach(HttpClientRequest sent) {
        request = sent;
        if (cancelled) {
            sent.reset();
        }
    }
}
