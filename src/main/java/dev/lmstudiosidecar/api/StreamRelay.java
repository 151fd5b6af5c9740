package dev.lmstudiosidecar.api;

import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.cache.CachedAnswer;
import dev.lmstudiosidecar.cache.ResponseCache;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.util.Optional;

/**
 * Relays an SSE answer byte for byte: each upstream chunk is written to the client as it arrives,
 * not re-framed, not buffered. When the client cannot keep up, upstream reading pauses until the
 * client's socket drains.
 *
 * <p>Nothing reaches the client before the first upstream chunk: a stream that drops or stalls
 * before it is a failed attempt, retried or handed down the fallback chain like any other. After
 * it, a stream that breaks, stalls, or ends cleanly in the middle of an event ends with an SSE
 * error event and no {@code [DONE]}, so the client knows the answer is truncated; none of these is
 * cached.
 */
final class StreamRelay {

    private final ProxyExchange exchange;
    private final HttpClientResponse upstream;
    private final HttpServerResponse client;
    private final IdleTimer stall;
    private final Backpressure backpressure;
    /** Reads the stream's usage for the metrics; null when they are off. */
    private final StreamUsageTap usage;
    /** Where the upstream bytes stand: between events, or inside one a clean end would cut. */
    private final SseEventEdge edge = new SseEventEdge();
    private boolean started;
    private boolean abandoned;
    /** The stream as the client gets it, for the cache; null when not wanted, or when it grew too large. */
    private Buffer recording;

    StreamRelay(ProxyExchange exchange, HttpClientResponse upstream) {
        this.exchange = exchange;
        this.upstream = upstream;
        this.client = exchange.response();
        ProxyContext context = exchange.context();
        // Until the first chunk, the wait is the time to first token (lmstudio.timeout); then the gap.
        this.stall = new IdleTimer(context.vertx(), context.timeoutMillis(), this::onStall);
        this.backpressure = exchange.backpressure(upstream, stall);
        this.usage = exchange.observation() == null ? null
                : new StreamUsageTap(context.usageReader(), exchange.observation(), exchange.addsStreamUsage());
    }

    void start() {
        recording = exchange.recording() ? Buffer.buffer() : null;
        stall.start();
        upstream.handler(this::relayChunk);
        upstream.exceptionHandler(failure -> fail(exchange.transportFailure(failure)));
        upstream.endHandler(end -> {
            stall.stop();
            if (abandoned) {
                return;
            }
            exchange.upstreamComplete();
            if (started && edge.endsMidEvent()) {
                endWithError(exchange.context().errors().streamCutMidEvent(exchange.backend()));
            } else if (started) {
                endAnswer();
            } else {
                startAnswer(this::endAnswer); // an empty stream is still an answer
            }
        });
    }

    private void endAnswer() {
        if (!client.ended() && !client.closed()) {
            Buffer rest = usage == null ? null : usage.flush();
            if (rest != null && rest.length() > 0) {
                record(rest);
                client.write(rest);
            }
            if (recording != null) {
                exchange.recorded(CachedAnswer.Kind.STREAM, recording.getBytes());
            }
            client.end();
        }
    }

    private void relayChunk(Buffer chunk) {
        stall.touch();
        edge.onBytes(chunk);
        if (abandoned || client.closed() || client.ended()) { // ended: by the shutdown's deadline, say
            return;
        }
        if (started) {
            relay(chunk);
        } else {
            startAnswer(() -> relay(chunk));
        }
    }

    private void relay(Buffer chunk) {
        Buffer relayed = usage == null ? chunk : usage.onChunk(chunk);
        if (relayed.length() > 0) { // an empty write would end a chunked body
            record(relayed);
            backpressure.write(relayed);
        }
    }

    private void record(Buffer relayed) {
        if (recording == null) {
            return;
        }
        if (recording.length() + relayed.length() > ResponseCache.MAX_ANSWER_BYTES) {
            recording = null; // too large to cache: relayed, not kept
        } else {
            recording.appendBuffer(relayed);
        }
    }

    /** The first chunk (or the end of an empty stream) opens the answer: then {@code relayOn} relays it. */
    private void startAnswer(Runnable relayOn) {
        started = true;
        stall.setTimeout(exchange.context().streamIdleTimeoutMillis());
        if (exchange.observation() != null) {
            exchange.observation().firstChunk();
        }
        exchange.firstTokenArrived();
        exchange.opened(upstream, () -> {
            client.setChunked(true);
            relayOn.run();
        });
    }

    /** Before the first chunk a stall is a failed attempt; after it, the end of a truncated stream. */
    private void onStall() {
        ProxyContext context = exchange.context();
        if (started) {
            endWithError(context.errors().streamStalled(context.streamIdleTimeoutMillis()));
        } else {
            fail(new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, exchange.backend(), 0,
                    "its stream sent no token for " + context.timeoutMillis() + " ms", null, null));
        }
    }

    private void fail(UpstreamFailure failure) {
        stall.stop();
        if (abandoned) {
            return;
        }
        if (!started) {
            abandoned = true;
            exchange.attemptFailed(failure, Optional.empty());
        } else {
            endWithError(exchange.upstreamError(failure));
        }
    }

    /** Ending the answer ends the exchange, which resets the upstream request if it still runs. */
    private void endWithError(ApiError error) {
        stall.stop();
        if (client.ended() || client.closed() || exchange.clientGone()) {
            return;
        }
        exchange.answeredWith(error);
        client.end(errorEvent(error));
    }

    /** How a stream that began says it cannot finish: an SSE event carrying the OpenAI error, and no {@code [DONE]}. */
    static String errorEvent(ApiError error) {
        return "\n\ndata: " + error.toJson() + "\n\n";
    }
}
