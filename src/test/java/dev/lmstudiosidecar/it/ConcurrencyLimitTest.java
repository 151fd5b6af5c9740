package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.Eventually;
import dev.lmstudiosidecar.testsupport.InjectEmulator;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * At most max-concurrent-requests reach LM Studio; the rest wait in a bounded queue for a bounded
 * time, and whatever does not fit is told 429 with Retry-After at once.
 */
@QuarkusTest
@TestProfile(ConcurrencyLimitTest.OneSlotOneWaiter.class)
@WithTestResource(EmulatorResource.class)
class ConcurrencyLimitTest {

    public static class OneSlotOneWaiter implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lmstudio.max-concurrent-requests", "1",
                    "lmstudio.max-queued-requests", "1",
                    "lmstudio.max-queue-wait", "3s",
                    // shorter than the waits below: waiting for a slot is not connecting
                    "lmstudio.connect-timeout", "300ms");
        }
    }

    private static final String STREAM = "{\"model\":\"qwen2.5-7b-instruct\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    @InjectEmulator
    LmStudioEmulator emulator;

    @TestHTTPResource("/v1/chat/completions")
    URL chat;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void resetEmulator() {
        emulator.reset();
        emulator.tokenDelay(Duration.ofMillis(100));
        // RestAssured's first call after a start can take longer than the streams below last: not inside them.
        given().get(ManagementUrls.of("health/live")).then().statusCode(200);
    }

    @AfterEach
    void neverMoreThanOneAtLmStudio() {
        assertTrue(emulator.maxConcurrentGenerations() <= 1, "LM Studio saw " + emulator.maxConcurrentGenerations() + " at once");
    }

    private CompletableFuture<HttpResponse<String>> send(Duration clientTimeout) {
        return send(STREAM, clientTimeout);
    }

    private CompletableFuture<HttpResponse<String>> send(String body, Duration clientTimeout) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(chat.toString()))
                .header("Content-Type", "application/json").timeout(clientTimeout)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The sidecar's own gauge of waiting requests: what the queue holds, not what a sleep guesses. */
    private void awaitQueued(int waiting) {
        Eventually.await(waiting + " request(s) in the queue", Duration.ofSeconds(5), () -> io.restassured.RestAssured
                .get(ManagementUrls.of("metrics")).asString().contains("sidecar_requests_queued{host=\"lmstudio\"} " + waiting + ".0"));
    }

    private void awaitGenerating() {
        Eventually.await("the first stream is under way", Duration.ofSeconds(5), () -> emulator.activeGenerations() == 1);
    }

    @Test
    void beyondTheQueueTheAnswerIs429WithRetryAfterAtOnce() throws Exception {
        emulator.tokensPerResponse(15);
        CompletableFuture<HttpResponse<String>> running = send(Duration.ofSeconds(10));
        awaitGenerating();
        CompletableFuture<HttpResponse<String>> waiting = send(Duration.ofSeconds(10));
        awaitQueued(1);
        HttpResponse<String> refused = send(Duration.ofSeconds(10)).get();
        assertEquals(429, refused.statusCode(), refused.body());
        assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(refused.body().contains("\"code\":\"rate_limit_exceeded\""), refused.body());
        assertEquals(200, running.get().statusCode());
        assertEquals(200, waiting.get().statusCode(), "the queued request got the slot when it came free");
        assertEquals(2, emulator.completedGenerations());
    }

    @Test
    void theModelListTakesNoSlotAndIsAnsweredWhileAStreamHoldsTheOnlyOne() throws Exception {
        emulator.tokensPerResponse(40); // about 4 s: longer than max-queue-wait
        CompletableFuture<HttpResponse<String>> running = send(Duration.ofSeconds(10));
        awaitGenerating();
        long start = System.nanoTime();
        HttpResponse<String> listing = http.send(HttpRequest.newBuilder(URI.create(chat.toString().replace("/chat/completions", "/models")))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, listing.statusCode(), listing.body());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 2_000, "the listing waited for the stream's slot");
        assertEquals(1, emulator.activeGenerations(), "the stream was still running");
        assertEquals(200, running.get().statusCode());
    }

    @Test
    void aWaitLongerThanTheConnectTimeoutStillSucceeds() throws Exception {
        emulator.tokensPerResponse(8); // about 0.8 s: longer than connect-timeout, shorter than max-queue-wait
        CompletableFuture<HttpResponse<String>> running = send(Duration.ofSeconds(10));
        awaitGenerating();
        HttpResponse<String> queued = send(Duration.ofSeconds(10)).get();
        assertEquals(200, queued.statusCode(), queued.body());
        assertTrue(queued.body().contains("[DONE]"));
        assertEquals(200, running.get().statusCode());
    }

    @Test
    void aWaitLongerThanMaxQueueWaitIs429() throws Exception {
        emulator.tokensPerResponse(60); // about 6 s: longer than max-queue-wait
        CompletableFuture<HttpResponse<String>> running = send(Duration.ofSeconds(10));
        awaitGenerating();
        HttpResponse<String> timedOut = send(Duration.ofSeconds(10)).get();
        assertEquals(429, timedOut.statusCode(), timedOut.body());
        assertTrue(timedOut.body().contains("lmstudio.max-queue-wait"), timedOut.body());
        running.cancel(true);
    }

    @Test
    void aWaiterThatLeavesGivesItsPlaceInTheQueueBack() throws Exception {
        emulator.tokensPerResponse(12);
        CompletableFuture<HttpResponse<String>> running = send(Duration.ofSeconds(10));
        awaitGenerating();
        awaitQueued(0);
        CompletableFuture<HttpResponse<String>> leaving = send(Duration.ofMillis(300));
        try {
            leaving.get();
        } catch (java.util.concurrent.ExecutionException e) {
            assertTrue(e.getCause() instanceof HttpTimeoutException, e.toString());
        }
        awaitQueued(0);
        HttpResponse<String> next = send(Duration.ofSeconds(10)).get();
        assertEquals(200, next.statusCode(), "the slot in the queue was free again: " + next.body());
        assertEquals(200, running.get().statusCode());
        assertEquals(2, emulator.completedGenerations(), "the request that left never reached LM Studio");
    }

    @Test
    void aModelIsNotUnloadedUnderARequestThatWaitsForASlot() throws Exception {
        emulator.addModel("other-7b-instruct", "llm", 4_000_000_000L, "7B", "Q4_K_M", 8192, true);
        emulator.tokensPerResponse(10);
        CompletableFuture<HttpResponse<String>> running = send(Duration.ofSeconds(10));
        awaitGenerating();
        CompletableFuture<HttpResponse<String>> waiting = send(STREAM.replace("qwen2.5-7b-instruct", "other-7b-instruct"), Duration.ofSeconds(10));
        awaitQueued(1);
        given().post("/admin/models/other-7b-instruct/unload").then().statusCode(409).body("error.code", equalTo("model_in_use"));
        assertEquals(200, running.get().statusCode());
        HttpResponse<String> answered = waiting.get();
        assertEquals(200, answered.statusCode());
        assertEquals("other-7b-instruct", answered.headers().firstValue("X-Sidecar-Model").orElseThrow(), "no fallback was needed");
        assertEquals(List.of("other-7b-instruct"), emulator.loadedInstances("other-7b-instruct"));
    }
}
