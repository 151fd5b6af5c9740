package dev.lmstudiosidecar.api;

import dev.lmstudiosidecar.provider.UpstreamFailure;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.util.Optional;

/**
 * Relays a non-SSE answer, reading it first when it is small enough to be one of LM Studio's
 * error bodies: a 200 is not proof of success there, and its error shapes vary by version. An
 * answer larger than {@link #INSPECT_LIMIT} (an embeddings matrix) cannot be an error body and
 * is streamed through as it arrives.
 */
final class InspectingRelay {

    /** Larger than any error body, small enough that holding it costs nothing. */
    static final int INSPECT_LIMIT = 256 * 1024;

    private final ProxyExchange exchange;
    private final HttpClientResponse upstream;
    private final HttpServerResponse client;
    private Buffer held = Buffer.buffer();
    private boolean streaming;

    InspectingRelay(ProxyExchange exchange, HttpClientResponse upstream) {
        this.exchange = exchange;
        this.upstream = upstream;
        this.client = exchange.response();
    }

    void start() {
        long declared = HttpBodies.contentLength(upstream.getHeader("Content-Length"));
        boolean success = upstream.statusCode() >= 200 && upstream.statusCode() < 300;
        if (success && declared > INSPECT_LIMIT) {
            exchange.writeHead(upstream);
            client.putHeader("Content-Length", Long.toString(declared));
            streaming = true;
        }
        upstream.handler(this::onChunk);
        upstream.exceptionHandler(failure -> exchange.respondError(exchange.transportFailure(failure)));
        upstream.endHandler(end -> finish());
    }

    private void onChunk(Buffer chunk) {
        if (client.closed()) {
            return;
        }
        if (streaming) {
            HttpBodies.writeWithBackpressure(upstream, client, chunk);
            return;
        }
        held.appendBuffer(chunk);
        if (held.length() > INSPECT_LIMIT) {
            streaming = true;
            exchange.writeHead(upstream);
            client.setChunked(true);
            HttpBodies.writeWithBackpressure(upstream, client, held);
            held = null;
        }
    }

    private void finish() {
        if (client.closed() || client.ended()) {
            return;
        }
        if (streaming) {
            client.end();
            return;
        }
        Optional<UpstreamFailure> failure = exchange.context().errorReader()
                .read(exchange.backend(), upstream.statusCode(), held.getBytes());
        if (failure.isPresent()) {
            exchange.respondError(exchange.upstreamError(failure.get()));
        } else {
            exchange.writeHead(upstream);
            client.end(held);
        }
    }
}
