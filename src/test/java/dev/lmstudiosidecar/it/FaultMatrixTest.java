package dev.lmstudiosidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lmstudiosidecar.cache.ResponseCache;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.Eventually;
import dev.lmstudiosidecar.testsupport.OneShotHttp;
import dev.lmstudiosidecar.testsupport.PrometheusScrape;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault matrix (README, "Fault matrix"): every fault LM Studio or a client can throw at the sidecar, against
 * every kind of request. In each cell the client gets a correct answer or a well-formed OpenAI error within the
 * configured bounds (the very outcome its row lists: an answer, from a fallback or not, or which error),
 * no connection stays open on either side, the in-flight, queued and held-body gauges are back
 * at zero, and a normal request succeeds afterwards. What each cell answered is printed as a {@code MATRIX} line.
 */
@QuarkusTest
@TestProfile(FaultMatrixTest.ShortBounds.class)
@WithTestResource(EmulatorResource.class)
class FaultMatrixTest extends EmulatedLmStudioTest {

    static final Duration TIMEOUT = Duration.ofMillis(500);
    static final Duration BODY_TIMEOUT = Duration.ofSeconds(1);
    /** How long a client may take none of its answer before the sidecar cuts it. */
    static final Duration CLIENT_WRITE_TIMEOUT = Duration.ofSeconds(1);
    /** Scheduling, JIT loads and a retry delay (20 to 200 ms here) on this shared 2-core machine. */
    static final Duration MARGIN = Duration.ofMillis(1500);

    public static class ShortBounds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.ofEntries(
                        Map.entry("lmstudio.timeout", TIMEOUT.toMillis() + "ms"),
                        Map.entry("lmstudio.stream-idle-timeout", TIMEOUT.toMillis() + "ms"),
                        Map.entry("lmstudio.retry-attempts", "1"),
                        Map.entry("sidecar.request-body-timeout", BODY_TIMEOUT.toMillis() + "ms"),
                        Map.entry("sidecar.client-write-timeout", CLIENT_WRITE_TIMEOUT.toMillis() + "ms"),
                        // after a refused connection, calls go through again within this of LM Studio's return
                        Map.entry("lmstudio.health-check.down-interval", "200ms"),
                        // idle pooled connections to LM Studio close at once, so that an open one means a leak
                        Map.entry("lmstudio.pool-idle-timeout", "100ms"),
                        // no health check in the middle of a cell: each cell's faults are its own
                        Map.entry("lmstudio.health-check-interval", "10m"),
                        Map.entry("lmstudio.circuit-breaker.failure-ratio", "1.0"),
                        Map.entry("lmstudio.enable-caching", "true"),
                        Map.entry("sidecar.data-dir", Files.createTempDirectory("fault-matrix").toString()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The request kinds: the matrix's columns. */
    enum Kind {
        PLAIN_CHAT("/v1/chat/completions"),
        STREAMED_CHAT("/v1/chat/completions"),
        COMPLETION("/v1/completions"),
        EMBEDDINGS("/v1/embeddings"),
        CACHE_HIT("/v1/chat/completions"),
        AUTO("/v1/chat/completions");

        final String path;

        Kind(String path) {
            this.path = path;
        }

        /** A request no earlier cell sent, so that only a {@link #CACHE_HIT} is ever answered from the cache. */
        String body(String nonce) {
            String text = "Tell me about " + nonce;
            return switch (this) {
                case PLAIN_CHAT -> chat("qwen2.5-7b-instruct", text, false, "");
                case STREAMED_CHAT -> chat("qwen2.5-7b-instruct", text, true, "");
                case COMPLETION -> "{\"model\":\"qwen2.5-7b-instruct\",\"prompt\":\"" + text + "\"}";
                case EMBEDDINGS -> "{\"model\":\"text-embedding-nomic-embed-text-v1.5\",\"input\":\"" + text + "\"}";
                case CACHE_HIT -> chat("qwen2.5-7b-instruct", text, false, ",\"temperature\":0");
                case AUTO -> chat("auto", text, false, "");
            };
        }

        boolean streamed() {
            return this == STREAMED_CHAT;
        }

        private static String chat(String model, String text, boolean stream, String extra) {
            return "{\"model\":\"" + model + "\",\"stream\":" + stream + extra + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                    + text + "\"}]}";
        }
    }

    /* What a cell's client saw, as judge() names it. */
    static final String OK = "200";
    static final String FALLBACK = "200 fallback";
    static final String STREAM = "200 stream";
    static final String STREAM_FALLBACK = "200 stream fallback";
    static final String HIT = "200 HIT";
    static final String UNAVAILABLE = "503 model_unavailable";
    static final String BAD_UPSTREAM = "502 bad_upstream_response";
    static final String SSE_BAD_UPSTREAM = "200 SSE bad_upstream_response";
    static final String SSE_TIMEOUT = "200 SSE upstream_timeout";
    static final String SLOT_FREED = "slot freed";

    /**
     * The faults: the matrix's rows. Upstream ones are set on the emulator; client ones are how the request is sent.
     * Each carries what every cell of its row must answer (README, "Fault matrix"), in {@link Kind}'s order: plain
     * chat, streamed chat, completions, embeddings, cache hit, auto. Embeddings have no fallback model here, so a
     * fault that outlasts the retry reaches their client; a cache hit never reaches LM Studio.
     */
    enum Fault {
        REFUSED_CONNECTION(TIMEOUT, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, HIT, UNAVAILABLE),
        RESET_BEFORE_HEADERS(TIMEOUT, FALLBACK, STREAM_FALLBACK, FALLBACK, BAD_UPSTREAM, HIT, FALLBACK),
        // nothing reached the client before the reset: retried, except a stream, which had begun
        RESET_MID_BODY(TIMEOUT, OK, SSE_BAD_UPSTREAM, OK, OK, HIT, OK),
        BURST_5XX(TIMEOUT, FALLBACK, STREAM_FALLBACK, FALLBACK, BAD_UPSTREAM, HIT, FALLBACK),
        // Retry-After: 1 asks for longer than lmstudio.retry-max-delay here, so the model is not retried: a fallback
        // answers, and where there is none, LM Studio's 429 (its own code) passes as it came
        RATE_LIMITED_429(Duration.ofSeconds(1), FALLBACK, STREAM_FALLBACK, FALLBACK, "429 emulated_failure", HIT, FALLBACK),
        // both attempts time out, then a fallback answers
        HANG_BEFORE_HEADERS(TIMEOUT.multipliedBy(2), FALLBACK, STREAM_FALLBACK, FALLBACK, "504 upstream_timeout", HIT, FALLBACK),
        STALL_MID_STREAM(TIMEOUT.multipliedBy(2), OK, SSE_TIMEOUT, OK, OK, HIT, OK),
        // a plain answer cut mid-JSON is retried; a stream cut mid-event after its first chunk ends with an error event
        TRUNCATED_JSON(TIMEOUT, OK, SSE_BAD_UPSTREAM, OK, OK, HIT, OK),
        ERROR_BODY_200(TIMEOUT, OK, STREAM, OK, OK, HIT, OK),
        // no setting bounds an answer's whole length (only its gaps): 4 MiB of SSE takes seconds on a shared 2-core machine
        OVERSIZED_ANSWER(Duration.ofSeconds(10), OK, STREAM, OK, OK, HIT, OK),
        EVICTION_MID_GENERATION(TIMEOUT, OK, SSE_BAD_UPSTREAM, OK, OK, HIT, OK),
        SLOW_LORIS_CLIENT(BODY_TIMEOUT, "408 request_timeout", "408 request_timeout", "408 request_timeout", "408 request_timeout",
                "408 request_timeout", "408 request_timeout"),
        // the emulator's 4 MiB answer must first fill both sockets (seconds here), then sidecar.client-write-timeout runs
        NEVER_READING_CLIENT(CLIENT_WRITE_TIMEOUT.plusSeconds(4), SLOT_FREED, SLOT_FREED, SLOT_FREED, SLOT_FREED, SLOT_FREED, SLOT_FREED);

        /** What the configuration lets this fault cost at most, before {@link #MARGIN}. */
        final Duration bound;
        private final String[] expected;

        Fault(Duration bound, String... expected) {
            if (expected.length != Kind.values().length) {
                throw new IllegalArgumentException(this + ": one expected outcome per request kind");
            }
            this.bound = bound;
            this.expected = expected;
        }

        String expected(Kind kind) {
            return expected[kind.ordinal()];
        }

        boolean upstream() {
            return this != SLOW_LORIS_CLIENT && this != NEVER_READING_CLIENT;
        }

        void inject(LmStudioEmulator emulator) {
            switch (this) {
                case REFUSED_CONNECTION -> emulator.refuseConnections(true);
                case RESET_BEFORE_HEADERS -> emulator.resetNextOnArrival(2);
                case RESET_MID_BODY -> emulator.resetMidBody();
                case BURST_5XX -> emulator.failNext(2, 503);
                case RATE_LIMITED_429 -> emulator.rateLimitNext(1);
                case HANG_BEFORE_HEADERS -> emulator.hangNext(2);
                case STALL_MID_STREAM -> emulator.stallAfter(3);
                case TRUNCATED_JSON -> emulator.truncateJsonNext();
                case ERROR_BODY_200 -> emulator.errorBodyNext("Model crashed while generating");
                case OVERSIZED_ANSWER -> emulator.oversizeNext(ResponseCache.MAX_ANSWER_BYTES + 64 * 1024);
                case EVICTION_MID_GENERATION -> emulator.evictMidGeneration();
                case NEVER_READING_CLIENT -> emulator.oversizeNext(ResponseCache.MAX_ANSWER_BYTES + 64 * 1024);
                case SLOW_LORIS_CLIENT -> { }
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger NONCES = new AtomicInteger();

    @TestHTTPResource("/")
    URL sidecar;

    static Stream<Arguments> cells() {
        return Arrays.stream(Fault.values()).flatMap(f -> Arrays.stream(Kind.values()).map(k -> Arguments.of(f, k)));
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("cells")
    void everyCellIsAnAnswerOrAnErrorInTimeAndLeavesNothingOpen(Fault fault, Kind kind) throws Exception {
        String rows = System.getProperty("fault-matrix.rows");
        Assumptions.assumeTrue(rows == null || Arrays.asList(rows.split(",")).contains(fault.name()), "not a row asked for");
        String body = kind.body(fault + "-" + kind + "-" + NONCES.incrementAndGet());
        if (kind == Kind.CACHE_HIT) {
            OneShotHttp.Answer clean = OneShotHttp.post(sidecar, kind.path, body, Duration.ofSeconds(10));
            assertEquals(200, clean.status(), clean.body());
        }
        int upstreamBefore = emulator.requestCount(kind.path);
        fault.inject(emulator);
        long start = System.nanoTime();
        Observed observed;
        try {
            observed = send(fault, kind, body);
        } finally {
            emulator.refuseConnections(false);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf("MATRIX %s x %s -> %s in %d ms%n", fault, kind, observed.outcome(), elapsed.toMillis());

        assertEquals(fault.expected(kind), observed.outcome(), fault + " x " + kind + ": expected " + fault.expected(kind)
                + ", got " + observed.outcome());

        assertTrue(elapsed.compareTo(fault.bound.plus(MARGIN)) < 0, "took " + elapsed.toMillis() + " ms, bound " + fault.bound.toMillis()
                + " ms + margin " + MARGIN.toMillis());
        if (kind == Kind.CACHE_HIT && fault.upstream()) {
            assertEquals(upstreamBefore, emulator.requestCount(kind.path), "a cache hit never reaches LM Studio");
        }
        assertNothingLeftOpen();
        assertANormalRequestSucceeds(fault);
    }

    /** After a refused connection the breaker fails calls fast until the next down-interval check finds LM Studio back. */
    private void assertANormalRequestSucceeds(Fault fault) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + (fault == Fault.REFUSED_CONNECTION ? Duration.ofSeconds(3) : Duration.ZERO).toNanos();
        while (true) {
            OneShotHttp.Answer after = OneShotHttp.post(sidecar, Kind.PLAIN_CHAT.path, Kind.PLAIN_CHAT.body("after-" + NONCES.incrementAndGet()),
                    Duration.ofSeconds(10));
            if (after.status() == 200 || System.nanoTime() > deadline) {
                assertEquals(200, after.status(), "a normal request afterwards: " + after.body());
                return;
            }
            Thread.sleep(50);
        }
    }

    /** What the client saw: an outcome such as {@code 200}, {@code 502 bad_upstream_response}, {@code 200 SSE upstream_timeout}. */
    record Observed(String outcome) {
    }

    private Observed send(Fault fault, Kind kind, String body) throws Exception {
        return switch (fault) {
            case SLOW_LORIS_CLIENT -> judge(kind, OneShotHttp.post(sidecar, kind.path, body, fault.bound.plus(MARGIN), Duration.ofMillis(50)));
            case NEVER_READING_CLIENT -> neverRead(kind, body);
            default -> judge(kind, OneShotHttp.post(sidecar, kind.path, body, fault.bound.plus(MARGIN)));
        };
    }

    /**
     * The rule every answer keeps: a 200 is complete (JSON with {@code choices} or {@code data}, or a stream that
     * ends with {@code [DONE]}) or a stream that ends with an SSE error event; anything else is a 4xx or 5xx with
     * the OpenAI error object.
     */
    private static Observed judge(Kind kind, OneShotHttp.Answer answer) throws IOException {
        assertTrue(answer.status() > 0, "the connection closed without an answer");
        assertFalse(answer.cut(), "the answer's framing was cut: " + answer);
        String body = answer.body();
        if (answer.status() == 200 && kind.streamed() && !body.startsWith("{")) {
            if (body.endsWith("data: [DONE]\n\n")) {
                for (String event : body.split("\n\n")) {
                    if (!event.equals("data: [DONE]")) {
                        assertTrue(wholeJson(event.substring("data: ".length()), "a stream event").has("choices"), event);
                    }
                }
                return new Observed(answer.header("X-Sidecar-Fallback") != null ? STREAM_FALLBACK : STREAM);
            }
            String[] events = body.split("\n\n");
            String last = events[events.length - 1];
            assertTrue(last.startsWith("data: ") && body.endsWith("\n\n"), "a stream that ends neither with [DONE] nor with an error event: " + body);
            JsonNode error = wholeJson(last.substring("data: ".length()), "a stream's last event").path("error");
            assertWellFormedError(error, body);
            return new Observed("200 SSE " + error.path("code").asText());
        }
        JsonNode json = wholeJson(body, "a " + answer.status() + " answer");
        if (answer.status() == 200) {
            assertTrue(json.has(kind == Kind.EMBEDDINGS ? "data" : "choices"), body);
            assertFalse(json.has("error"), body);
            String cache = answer.header("X-Sidecar-Cache");
            return new Observed(kind == Kind.CACHE_HIT ? "200 " + cache : answer.header("X-Sidecar-Fallback") != null ? "200 fallback" : "200");
        }
        assertTrue(answer.status() >= 400 && answer.status() < 600, "status " + answer.status());
        assertWellFormedError(json.path("error"), body);
        return new Observed(answer.status() + " " + json.path("error").path("code").asText());
    }

    /** Fails, saying so, on text that is not one whole JSON value: a cut answer must never reach a client. */
    private static JsonNode wholeJson(String text, String what) {
        try {
            return JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            int shown = Math.min(text.length(), 300);
            throw new AssertionError(what + " that is not whole JSON (" + e.getOriginalMessage() + "), " + text.length() + " chars: "
                    + text.substring(0, shown) + (shown < text.length() ? "..." : ""), e);
        }
    }

    private static void assertWellFormedError(JsonNode error, String body) {
        assertTrue(error.path("message").isTextual() && !error.path("message").asText().isBlank(), body);
        assertTrue(error.path("type").isTextual(), body);
        assertTrue(error.has("code"), body);
        assertFalse(body.contains("\tat "), "a stack trace: " + body);
    }

    /**
     * Sends the request (an answer larger than both sockets' buffers) on a socket with a small receive window and
     * reads nothing, while staying connected: within {@code sidecar.client-write-timeout} the sidecar must have reset
     * the upstream request and freed the slot, the queue entry and the held body. Then the client closes, and the
     * general check finds its connection gone too.
     */
    private Observed neverRead(Kind kind, String body) throws Exception {
        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(4096);
            client.connect(new InetSocketAddress(sidecar.getHost(), sidecar.getPort()));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            client.getOutputStream().write(OneShotHttp.head(kind.path, bytes.length).getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().write(bytes);
            client.getOutputStream().flush();
            awaitNothingLeftOpen("LM Studio's connection and every gauge freed while the client that reads nothing is still connected",
                    Fault.NEVER_READING_CLIENT.bound.plus(MARGIN), false);
        }
        return new Observed("slot freed");
    }

    private void assertNothingLeftOpen() {
        awaitNothingLeftOpen("no generation, no connection to LM Studio, no slot, queue entry or held body", Duration.ofSeconds(3), true);
    }

    private void awaitNothingLeftOpen(String what, Duration within, boolean clientConnectionsToo) {
        try {
            Eventually.await(what, within, () -> emulator.activeGenerations() == 0 && emulator.openConnections() == 0
                            && gaugesAtZero(PrometheusScrape.now(), clientConnectionsToo));
        } catch (AssertionError e) {
            PrometheusScrape scrape = PrometheusScrape.now();
            throw new AssertionError(e.getMessage() + ": generations " + emulator.activeGenerations() + ", emulator connections "
                    + emulator.openConnections() + ", in flight " + scrape.sum("sidecar_requests_in_flight") + ", queued "
                    + scrape.sum("sidecar_requests_queued") + ", held body bytes " + scrape.sum("sidecar_request_body_held_bytes")
                    + ", API connections " + scrape.sum("http_server_active_connections", "server_port=" + apiPort()), e);
        }
    }

    private static boolean gaugesAtZero(PrometheusScrape scrape, boolean clientConnectionsToo) {
        return scrape.sum("sidecar_requests_in_flight") == 0 && scrape.sum("sidecar_requests_queued") == 0
                && scrape.sum("sidecar_request_body_held_bytes") == 0
                && (!clientConnectionsToo || scrape.sum("http_server_active_connections", "server_port=" + apiPort()) == 0);
    }

    private static String apiPort() {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("quarkus.http.test-port", String.class);
    }
}
