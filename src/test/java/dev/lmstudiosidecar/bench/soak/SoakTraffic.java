package dev.lmstudiosidecar.bench.soak;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's mixed traffic, paced open-loop at a fixed rate: plain chats with fresh prompts (misses), streamed
 * chats, embeddings, deterministic chats from a small set of prompts (cache hits after their first time) and
 * {@code auto} requests. Every outcome goes to the {@link SoakWindow} of the moment it ended.
 */
final class SoakTraffic implements AutoCloseable {

    /** The kinds of request, and how many of every 10 are of each. */
    enum Kind {
        PLAIN(4), STREAM(2), EMBEDDING(1), CACHE_HIT(2), AUTO(1);

        final int share;

        Kind(int share) {
            this.share = share;
        }
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService senders = Executors.newFixedThreadPool(32);
    private final String baseUrl;
    private final SoakWindows windows;
    private final Random random = new Random(16);
    private final AtomicLong sequence = new AtomicLong();

    SoakTraffic(String baseUrl, SoakWindows windows) {
        this.baseUrl = baseUrl;
        this.windows = windows;
    }

    void start(int requestsPerSecond) {
        long periodMicros = 1_000_000L / requestsPerSecond;
        pacer.scheduleAtFixedRate(() -> senders.execute(this::sendOne), 0, periodMicros, TimeUnit.MICROSECONDS);
    }

    private void sendOne() {
        long n = sequence.incrementAndGet();
        Kind kind = kindOf(n);
        HttpRequest request = request(kind, n);
        long started = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            windows.current().record(kind, outcome(kind, response), System.nanoTime() - started);
        } catch (java.io.IOException e) {
            windows.current().record(kind, "transport: " + e.getClass().getSimpleName(), System.nanoTime() - started);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Kind kindOf(long n) {
        int slot = (int) (n % 10);
        int upTo = 0;
        for (Kind kind : Kind.values()) {
            upTo += kind.share;
            if (slot < upTo) {
                return kind;
            }
        }
        return Kind.PLAIN;
    }

    /** "ok", or what went wrong: the status and the error's code, or a stream that ended without [DONE]. */
    private static String outcome(Kind kind, HttpResponse<String> response) {
        String body = response.body();
        if (response.statusCode() != 200) {
            int code = body.indexOf("\"code\":\"");
            String errorCode = code < 0 ? "?" : body.substring(code + 8, Math.max(code + 8, body.indexOf('"', code + 8)));
            return response.statusCode() + " " + errorCode;
        }
        if (kind == Kind.STREAM && !body.stripTrailing().endsWith("data: [DONE]")) {
            return "200 stream cut";
        }
        return "ok";
    }

    private HttpRequest request(Kind kind, long n) {
        String path = kind == Kind.EMBEDDING ? "/embeddings" : "/chat/completions";
        String body = switch (kind) {
            case PLAIN -> chat("qwen2.5-7b-instruct", "Tell me about soak test request " + n, false, "");
            case STREAM -> chat("qwen2.5-7b-instruct", "Stream soak request " + n, true, "");
            case CACHE_HIT -> chat("qwen2.5-7b-instruct", "A question asked often, number " + random.nextInt(20), false, ",\"temperature\":0");
            case AUTO -> chat("auto", "Write a function that sorts a list, request " + n, false, "");
            case EMBEDDING -> "{\"model\":\"text-embedding-nomic-embed-text-v1.5\",\"input\":\"soak text " + n + "\"}";
        };
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static String chat(String model, String prompt, boolean stream, String extra) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + extra + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    }

    @Override
    public void close() throws InterruptedException {
        pacer.shutdownNow();
        senders.shutdown();
        senders.awaitTermination(REQUEST_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
    }
}
