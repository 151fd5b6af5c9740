package dev.lmstudiosidecar.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;

/** Small pieces of HTTP body handling that both relays and the body reader share. */
final class HttpBodies {

    private HttpBodies() {
    }

    /**
     * Writes an upstream chunk to the client; when the client's socket is full, upstream reading
     * pauses until it drains, so a slow client never makes the sidecar buffer a whole answer.
     */
    static void writeWithBackpressure(HttpClientResponse upstream, HttpServerResponse client, Buffer chunk) {
        client.write(chunk);
        if (client.writeQueueFull()) {
            upstream.pause();
            client.drainHandler(drained -> upstream.resume());
        }
    }

    /** @return the declared {@code Content-Length}, or -1 when absent or not a number */
    static long contentLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
