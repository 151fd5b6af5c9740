package dev.lmstudiosidecar.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;

/**
 * Relays an SSE answer byte for byte: each upstream chunk is written to the client as it arrives,
 * not re-framed, not buffered. When the client cannot keep up, upstream reading pauses until the
 * client's socket drains. A stream that breaks upstream ends with an SSE error event and no
 * {@code [DONE]}, so the client knows the answer is truncated.
 */
final class StreamRelay {

    private final ProxyExchange exchange;
    private final HttpClientResponse upstream;
    private final HttpServerResponse client;

    StreamRelay(ProxyExchange exchange, HttpClientResponse upstream) {
        this.exchange = exchange;
        this.upstream = upstream;
        this.client = exchange.response();
    }

    void start() {
        exchange.writeHead(upstream);
        client.setChunked(true);
        upstream.handler(this::relayChunk);
        upstream.exceptionHandler(this::endWithError);
        upstream.endHandler(end -> {
            if (!client.ended() && !client.closed()) {
                client.end();
            }
        });
    }

    private void relayChunk(Buffer chunk) {
        if (client.closed()) {
            return;
        }
        HttpBodies.writeWithBackpressure(upstream, client, chunk);
    }

    private void endWithError(Throwable failure) {
        if (client.ended() || client.closed() || exchange.clientGone()) {
            return;
        }
        ApiError error = exchange.transportFailure(failure);
        client.end("\n\ndata: " + error.toJson() + "\n\n");
    }
}
