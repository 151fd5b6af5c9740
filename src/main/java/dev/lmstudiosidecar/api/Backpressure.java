package dev.lmstudiosidecar.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;

/** Upstream-to-client writing that never lets the sidecar buffer a whole answer for a slow client. */
final class Backpressure {

    private Backpressure() {
    }

    /** Writes an upstream chunk to the client; a full client socket pauses upstream reading until it drains. */
    static void write(HttpClientResponse upstream, HttpServerResponse client, Buffer chunk) {
        client.write(chunk);
        if (client.writeQueueFull()) {
            upstream.pause();
            client.drainHandler(drained -> upstream.resume());
        }
    }
}
