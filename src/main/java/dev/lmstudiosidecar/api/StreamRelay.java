package dev.lmstudiosidecar.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;

/**
 * Relays an SSE answer byte for byte: each upstream chunk is written to the client as it arrives,
 * not re-framed, not buffered. When the client cannot keep up, upstream reading pauses until the
 * client's socket drains. A stream that breaks or stalls upstream ends with an SSE error event and
 * no {@code [DONE]}, so the client knows the answer is truncated.
 */
final class StreamRelay {

    private final ProxyExchange exchange;
    private final HttpClientResponse upstream;
    private final HttpServerResponse client;
    private final IdleTimer stall;

    StreamRelay(ProxyExchange exchange, HttpClientResponse upstream) {
        this.exchange = exchange;
        this.upstream = upstream;
        this.client = exchange.response();
        ProxyContext context = exchange.context();
        this.stall = new IdleTimer(context.vertx(), context.streamIdleTimeoutMillis(), this::onStall);
    }

    void start() {
        exchange.committed();
        exchange.writeHead(upstream);
        client.setChunked(true);
        stall.start();
        upstream.handler(this::relayChunk);
        upstream.exceptionHandler(failure -> endWithError(exchange.upstreamError(exchange.transportFailure(failure))));
        upstream.endHandler(end -> {
            stall.stop();
            exchange.upstreamComplete();
            if (!client.ended() && !client.closed()) {
                client.end();
            }
        });
    }

    private void relayChunk(Buffer chunk) {
        stall.touch();
        if (!client.closed()) {
            HttpBodies.writeWithBackpressure(upstream, client, chunk);
        }
    }

    /** Ending the answer ends the exchange, which resets the silent upstream request. */
    private void onStall() {
        endWithError(exchange.context().errors().streamStalled(exchange.context().streamIdleTimeoutMillis()));
    }

    private void endWithError(ApiError error) {
        stall.stop();
        if (client.ended() || client.closed() || exchange.clientGone()) {
            return;
        }
        client.end("\n\ndata: " + error.toJson() + "\n\n");
    }
}
