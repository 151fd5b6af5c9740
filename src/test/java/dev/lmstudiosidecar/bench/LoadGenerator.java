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
import java.util.function.Consumer;

/**
 * An open-loop load generator: requests start on a fixed schedule whether or not earlier ones have
 * finished, and each latency counts from the scheduled start. One Vert.x event loop does all the
 * I/O and all the recording, so results need no locking. {@link #closedLoop} is the exception, for
 * throughput: there the server sets the pace.
 */
final class LoadGenerator implements AutoCloseable {

    /** Marks the first token in the emulator's stream: its tokens are "tok0 ", "tok1 ", ... */
    private static final String FIRST_TOKEN = "\"tok0 ";
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(120);
    private static final long REQUEST_IDLE_TIMEOUT_MS = 30_000;
    /** A closed-loop client waits this long after an error, so a server that refuses fast is not hammered in a hot loop. */
    private static final long PAUSE_AFTER_ERROR_MS = 10;

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

    /**
     * {@code clients} clients for {@code duration}, each sending its next request as soon as its last one is
     * answered (closed loop): the server sets the pace, so {@link PhaseResult#throughputPerSecond()} is what it
     * completes at saturation. Latency counts from each request's actual send: there is no schedule to fall behind.
     */
    PhaseResult closedLoop(String baseUrl, Call call, int clients, Duration duration) throws InterruptedException {
        PhaseResult result = new PhaseResult();
        CountDownLatch stopped = new CountDownLatch(clients);
        URI base = URI.create(baseUrl);
        Buffer body = call.body() == null ? null : Buffer.buffer(call.body());
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        for (int i = 0; i < clients; i++) {
            loop.runOnContext(v -> sendUntil(end, base, call, body, result, stopped));
        }
        boolean drained = stopped.await(duration.plus(DRAIN_TIMEOUT).toSeconds(), TimeUnit.SECONDS);
        return finish(result, start, drained ? null : stopped.getCount() + " clients still waiting for an answer " + DRAIN_TIMEOUT
                + " after the phase");
    }

    /** One closed-loop client: a request, and when it is answered the next, until {@code end}. */
    private void sendUntil(long end, URI base, Call call, Buffer body, PhaseResult result, CountDownLatch stopped) {
        if (System.nanoTime() - end >= 0) {
            stopped.countDown();
            return;
        }
        send(http, base, call, body, System.nanoTime(), result, ok -> {
            if (ok) {
                sendUntil(end, base, call, body, result, stopped);
            } else {
                vertx.setTimer(PAUSE_AFTER_ERROR_MS, t -> sendUntil(end, base, call, body, result, stopped));
            }
        });
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
            loop.runOnContext(v -> send(client, base, call, body, intended, result, ok -> done.countDown()));
        }
        boolean drained = done.await(DRAIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        return finish(result, start, drained ? null : done.getCount() + " requests still unanswered after " + DRAIN_TIMEOUT);
    }

    /** Closes a phase on the event loop, which owns {@code result}: its wall time, and what never came back. */
    private PhaseResult finish(PhaseResult result, long start, String unanswered) throws InterruptedException {
        CountDownLatch recorded = new CountDownLatch(1);
        loop.runOnContext(v -> {
            result.wallNanos = System.nanoTime() - start;
            if (unanswered != null) {
                result.fail(unanswered);
            }
            recorded.countDown();
        });
        recorded.await();
        return result;
    }

    /** @param done told when the answer is complete or has failed, and whether it succeeded, on the event loop */
    private void send(HttpClient client, URI base, Call call, Buffer body, long intended, PhaseResult result, Consumer<Boolean> done) {
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
                            done.accept(false);
                        });
                        return;
                    }
                    response.handler(chunk -> timing.arrived(chunk, result));
                    response.exceptionHandler(error -> {
                        result.fail(error.toString());
                        done.accept(false);
                    });
                    response.endHandler(end -> done.accept(timing.finished(result)));
                })
                .onFailure(error -> {
                    result.fail(error.toString());
                    done.accept(false);
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

        /** @return whether the answer counts as a success */
        boolean finished(PhaseResult result) {
            if (streaming && firstTokenAt == 0) {
                result.fail("a stream ended without its first token");
                return false;
            }
            result.total.recordValue(System.nanoTime() - intended);
            result.succeeded++;
            return true;
        }
    }

    @Override
    public void close() {
        http.close();
        oneConnection.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
