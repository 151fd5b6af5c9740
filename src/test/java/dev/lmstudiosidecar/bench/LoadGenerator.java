package dev.lmstudiosidecar.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop load generator: requests start on a fixed schedule whether or not earlier ones have
 * finished, and each latency counts from the scheduled start. One Vert.x event loop does all the
 * I/O and all the recording, so results need no locking.
 */
final class LoadGenerator implements AutoCloseable {

    /** Marks the first token in the emulator's stream: its tokens are "tok0 ", "tok1 ", ... */
    private static final String FIRST_TOKEN = "\"tok0 ";
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(120);
    private static final long REQUEST_IDLE_TIMEOUT_MS = 30_000;

    /** One kind of request: where it goes below the base URL and what it carries. */
    record Call(String name, String path, String body, boolean streaming) {
    }

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    private final Context loop = vertx.getOrCreateContext();
    private final HttpClient http = client(2048);
    /** What one app with one kept-alive connection sends: a request waits for the one before it. */
    private final HttpClient oneConnection = client(1);

    private HttpClient client(int connections) {
        return vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setDecompressionSupported(false),
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    }

    /** {@code rate} requests a second for {@code duration}, on schedule. */
    PhaseResult fixedRate(String baseUrl, Call call, int rate, Duration duration) throws InterruptedException {
        long count = Math.max(1, duration.toNanos() * rate / 1_000_000_000L);
        return run(http, baseUrl, call, (int) count, 1_000_000_000L / rate);
    }

    /** {@code count} requests, {@code rate} a second on schedule, all on one connection. */
    PhaseResult oneConnection(String baseUrl, Call call, int rate, int count) throws InterruptedException {
        return run(oneConnection, baseUrl, call, count, 1_000_000_000L / rate);
    }

    /** {@code count} requests all scheduled for the same instant. */
    PhaseResult burst(String baseUrl, Call call, int count) throws InterruptedException {
        return run(http, baseUrl, call, count, 0);
    }

    private PhaseResult run(HttpClient client, String baseUrl, Call call, int count, long intervalNanos) throws InterruptedException {
        PhaseResult result = new PhaseResult();
        CountDownLatch done = new CountDownLatch(count);
        URI base = URI.create(baseUrl);
        Buffer body = call.body() == null ? null : Buffer.buffer(call.body());
        long start = System.nanoTime() + 5_000_000;
        for (int i = 0; i < count; i++) {
            long intended = start + i * intervalNanos;
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            loop.runOnContext(v -> send(client, base, call, body, intended, result, done));
        }
        boolean drained = done.await(DRAIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        CountDownLatch recorded = new CountDownLatch(1);
        loop.runOnContext(v -> {
            result.wallNanos = System.nanoTime() - start;
            if (!drained) {
                result.fail((done.getCount()) + " requests still unanswered after " + DRAIN_TIMEOUT);
            }
            recorded.countDown();
        });
        recorded.await();
        return result;
    }

    private void send(HttpClient client, URI base, Call call, Buffer body, long intended, PhaseResult result, CountDownLatch done) {
        result.sent++;
        RequestOptions options = new RequestOptions()
                .setMethod(body == null ? HttpMethod.GET : HttpMethod.POST)
                .setHost(base.getHost()).setPort(base.getPort())
                .setURI(base.getPath() + call.path())
                .setIdleTimeout(REQUEST_IDLE_TIMEOUT_MS)
                .putHeader("Content-Type", "application/json");
        StreamTiming timing = new StreamTiming(intended, call.streaming());
        client.request(options)
                .compose(request -> body == null ? request.send() : request.send(body))
                .onSuccess(response -> {
                    if (response.statusCode() != 200) {
                        response.body().onComplete(ignored -> {
                            result.fail("HTTP " + response.statusCode());
                            done.countDown();
                        });
                        return;
                    }
                    response.handler(chunk -> timing.arrived(chunk, result));
                    response.exceptionHandler(error -> {
                        result.fail(error.toString());
                        done.countDown();
                    });
                    response.endHandler(end -> {
                        timing.finished(result);
                        done.countDown();
                    });
                })
                .onFailure(error -> {
                    result.fail(error.toString());
                    done.countDown();
                });
    }

    /** The timing of one answer as its bytes arrive. */
    private static final class StreamTiming {
        private final long intended;
        private final boolean streaming;
        private long firstTokenAt;
        private long lastArrival;
        private String tail = "";

        StreamTiming(long intended, boolean streaming) {
            this.intended = intended;
            this.streaming = streaming;
        }

        void arrived(Buffer chunk, PhaseResult result) {
            long now = System.nanoTime();
            result.arrivals++;
            if (!streaming) {
                return;
            }
            // The tail of the previous read joins this one: TCP may split "data: " across reads.
            String text = tail + chunk.toString(StandardCharsets.UTF_8);
            for (int at = text.indexOf("data: "); at >= 0; at = text.indexOf("data: ", at + 6)) {
                result.events++;
            }
            tail = text.length() > 5 ? text.substring(text.length() - 5) : text;
            if (firstTokenAt == 0 && text.contains(FIRST_TOKEN)) {
                firstTokenAt = now;
                result.timeToFirstToken.recordValue(now - intended);
            } else if (firstTokenAt != 0) {
                result.interChunkGap.recordValue(now - lastArrival);
            }
            lastArrival = now;
        }

        void finished(PhaseResult result) {
            if (streaming && firstTokenAt == 0) {
                result.fail("a stream ended without its first token");
                return;
            }
            result.total.recordValue(System.nanoTime() - intended);
            result.succeeded++;
        }
    }

    @Override
    public void close() {
        http.close();
        oneConnection.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
