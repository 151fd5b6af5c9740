package dev.lmstudiosidecar.api;

import dev.lmstudiosidecar.cache.CachedAnswer;
import dev.lmstudiosidecar.cache.ResponseCache;
import dev.lmstudiosidecar.metrics.RequestObservation;
import dev.lmstudiosidecar.metrics.UsageReader;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.resilience.RetryAfter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.util.Optional;

/**
 * Relays a non-SSE answer, reading it first when it may be one of LM Studio's error bodies: a
 * 200 is not proof of success there, and its error shapes vary by version. A successful answer
 * larger than {@link #INSPECT_LIMIT} (an embeddings matrix) cannot be an error body and is
 * streamed through as it arrives; an error answer is cut at that size, since only its first
 * words matter.
 */
final class InspectingRelay {

    /** Larger than any error body, small enough that holding it costs nothing. */
    static final int INSPECT_LIMIT = 256 * 1024;

    private final ProxyExchange exchange;
    private final HttpClientResponse upstream;
    private final HttpServerResponse client;
    private final boolean success;
    private final IdleTimer stall;
    private final Backpressure backpressure;
    private Buffer held = Buffer.buffer();
    private boolean streaming;
    /** Set once this attempt is reported failed: what its abandoned connection does next is noise. */
    private boolean abandoned;

    InspectingRelay(ProxyExchange exchange, HttpClientResponse upstream) {
        this.exchange = exchange;
        this.upstream = upstream;
        this.client = exchange.response();
        this.success = upstream.statusCode() >= 200 && upstream.statusCode() < 300;
        ProxyContext context = exchange.context();
        this.stall = new IdleTimer(context.vertx(), context.timeoutMillis(), this::onStall);
        this.backpressure = exchange.backpressure(upstream, stall);
    }

    void start() {
        long declared = RequestBodyReader.contentLength(upstream.getHeader("Content-Length"));
        if (success && declared > INSPECT_LIMIT) {
            streaming = true;
            exchange.opened(upstream, () -> client.putHeader("Content-Length", Long.toString(declared)));
        }
        stall.start();
        upstream.handler(this::onChunk);
        upstream.exceptionHandler(failure -> {
            stall.stop();
            if (streaming) {
                exchange.respondError(exchange.upstreamError(exchange.transportFailure(failure)));
            } else {
                failAttempt(exchange.transportFailure(failure), Optional.empty());
            }
        });
        upstream.endHandler(end -> {
            stall.stop();
            if (!abandoned) {
                exchange.upstreamComplete();
                finish();
            }
        });
    }

    private void onChunk(Buffer chunk) {
        stall.touch();
        if (abandoned || client.closed() || client.ended()) {
            return;
        }
        if (streaming) {
            backpressure.write(chunk);
            return;
        }
        held.appendBuffer(chunk);
        if (held.length() <= INSPECT_LIMIT) {
            return;
        }
        if (success) {
            streaming = true;
            Buffer inspected = held;
            held = null;
            exchange.opened(upstream, () -> {
                client.setChunked(true);
                backpressure.write(inspected);
            });
        } else {
            stall.stop();
            finish(); // enough of an error page; the exchange's end resets the rest
        }
    }

    /** Before the answer is committed, a silent upstream is a failed attempt like any timeout. */
    private void onStall() {
        UpstreamFailure stalled = new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, exchange.backend(), 0,
                "its answer stopped after it had started", null, null);
        if (streaming) {
            exchange.respondError(exchange.upstreamError(stalled));
        } else {
            failAttempt(stalled, Optional.empty());
        }
    }

    private void failAttempt(UpstreamFailure failure, Optional<java.time.Duration> retryAfter) {
        if (!abandoned) {
            abandoned = true;
            exchange.attemptFailed(failure, retryAfter);
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
            failAttempt(failure.get(), RetryAfter.parse(upstream.getHeader("Retry-After")));
        } else {
            exchange.opened(upstream, () -> {
                readUsage();
                if (success && exchange.recording() && held.length() <= ResponseCache.MAX_ANSWER_BYTES) {
                    exchange.recorded(CachedAnswer.Kind.PLAIN, held.getBytes());
                }
                client.end(success && exchange.endpoint() == OpenAiEndpoint.MODELS ? AutoModelListing.withAutoModels(held) : held);
            });
        }
    }

    /** The answer's token counts, for the metrics: it is held whole here, so reading it costs one pass and no copy. */
    private void readUsage() {
        RequestObservation observation = exchange.observation();
        if (observation == null || !success || held.length() == 0) {
            return;
        }
        BufferBytes bytes = BufferBytes.of(held);
        UsageReader.Usage usage = exchange.context().usageReader().read(bytes.array(), bytes.offset(), bytes.length());
        if (usage != null) {
            observation.usage(usage.model(), usage.inputTokens(), usage.outputTokens());
        }
    }
}
