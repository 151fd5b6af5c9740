package dev.lmstudiosidecar.api;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;

/**
 * Upstream-to-client writing that never lets the sidecar buffer a whole answer for a slow client, nor
 * hold a slot for ever for one that stopped reading: a client socket that does not drain within
 * {@code sidecar.client-write-timeout} makes the exchange cut it.
 *
 * <p>While upstream reading waits for the client, the upstream's stall timer holds still: a gap the
 * client causes is not LM Studio's to answer for (it would be reported as an upstream timeout).
 */
final class Backpressure {

    private final Vertx vertx;
    private final HttpClientResponse upstream;
    private final HttpServerResponse client;
    private final IdleTimer upstreamStall;
    private final long writeTimeoutMillis;
    private final Runnable onClientStuck;
    private long stuckTimer = -1;

    Backpressure(Vertx vertx, HttpClientResponse upstream, HttpServerResponse client, IdleTimer upstreamStall,
                 long writeTimeoutMillis, Runnable onClientStuck) {
        this.vertx = vertx;
        this.upstream = upstream;
        this.client = client;
        this.upstreamStall = upstreamStall;
        this.writeTimeoutMillis = writeTimeoutMillis;
        this.onClientStuck = onClientStuck;
    }

    /** Writes an upstream chunk to the client; a full client socket pauses upstream reading until it drains. */
    void write(Buffer chunk) {
        client.write(chunk);
        if (!client.writeQueueFull()) {
            return;
        }
        upstream.pause();
        if (stuckTimer >= 0) {
            return; // already waiting for this drain
        }
        upstreamStall.hold();
        stuckTimer = vertx.setTimer(Math.max(1, writeTimeoutMillis), id -> {
            stuckTimer = -1;
            onClientStuck.run();
        });
        client.drainHandler(drained -> {
            vertx.cancelTimer(stuckTimer);
            stuckTimer = -1;
            upstreamStall.release();
            upstream.resume();
        });
    }
}
