package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.SidecarClients;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.net.URL;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The response cache between a real client and the LM Studio emulator: what it keeps, how it answers
 * from what it kept (plain and streamed, either way round), and what it never keeps.
 */
@QuarkusTest
@TestProfile(ResponseCacheTest.Caching.class)
@WithTestResource(EmulatorResource.class)
class ResponseCacheTest extends EmulatedLmStudioTest {

    private static final String MODEL = "qwen2.5-7b-instruct";
    private static final String CHAT = "/v1/chat/completions";

    public static class Caching implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.of("lmstudio.enable-caching", "true", "lmstudio.stream-idle-timeout", "1s",
                        "sidecar.data-dir", Files.createTempDirectory("sidecar-cache-test").toString());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @TestHTTPResource("/")
    URL sidecar;

    private OpenAIClient openAi;

    @BeforeEach
    void emptyTheCache() {
        openAi = SidecarClients.openAi(sidecar);
        given().delete("/admin/cache").then().statusCode(200);
    }

    private static String deterministic(String question, boolean stream) {
        return deterministic(MODEL, question, stream);
    }

    private static String deterministic(String model, String question, boolean stream) {
        return "{\"model\":\"" + model + "\",\"temperature\":0,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
    }

    private static Response post(String body) {
        return given().contentType(ContentType.JSON).body(body).post(CHAT);
    }

    @Test
    void anIdenticalDeterministicRequestIsAnsweredFromTheCacheWhateverItsKeyOrder() {
        Response first = post(deterministic("What is 2+2?", false));
        Response second = post("{ \"messages\": [ {\"content\": \"What is 2+2?\", \"role\": \"user\"} ],\n"
                + "  \"temperature\": 0.0, \"model\": \"" + MODEL + "\" }");

        assertEquals(200, second.statusCode(), second.asString());
        assertEquals("MISS", first.header("X-Sidecar-Cache"));
        assertEquals("HIT", second.header("X-Sidecar-Cache"));
        assertNotNull(second.header("Age"));
        assertEquals(MODEL, second.header("X-Sidecar-Model"));
        assertEquals(first.jsonPath().getString("id"), second.jsonPath().getString("id"), "the recorded answer, id and all");
        assertEquals(1, emulator.requestCount(CHAT), "LM Studio was asked once");
    }

    @Test
    void aRequestThatDiffersInAnAnswerChangingFieldMisses() {
        post(deterministic("Name a colour", false));
        Response other = post("{\"model\":\"" + MODEL + "\",\"temperature\":0,\"max_tokens\":3,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Name a colour\"}]}");

        assertEquals("MISS", other.header("X-Sidecar-Cache"));
        assertEquals(2, emulator.requestCount(CHAT));
    }

    @Test
    void aSampledRequestIsNotCachedByDefault() {
        String sampled = "{\"model\":\"" + MODEL + "\",\"temperature\":0.8,\"messages\":[{\"role\":\"user\",\"content\":\"A poem\"}]}";
        Response first = post(sampled);
        Response again = post(sampled);

        assertEquals("BYPASS", first.header("X-Sidecar-Cache"));
        assertEquals("BYPASS", again.header("X-Sidecar-Cache"));
        assertNotEquals(first.jsonPath().getString("id"), again.jsonPath().getString("id"), "a new answer each time");
        assertEquals(2, emulator.requestCount(CHAT));
    }

    @Test
    void aRecordedStreamIsReplayedChunkForChunk() {
        String live = post(deterministic("Stream me", true)).asString();
        Response replay = post(deterministic("Stream me", true));

        assertEquals("HIT", replay.header("X-Sidecar-Cache"));
        assertTrue(replay.contentType().startsWith("text/event-stream"), replay.contentType());
        assertEquals(live, replay.asString(), "the same events, in order, ending with [DONE]");
        assertTrue(live.strip().endsWith("data: [DONE]"), live);
        assertEquals(1, emulator.requestCount(CHAT));
    }

    @Test
    void aPlainRequestIsAnsweredFromARecordedStreamAndAStreamFromAPlainAnswer() {
        ChatCompletionCreateParams fromStream = ChatCompletionCreateParams.builder().model(MODEL).temperature(0.0)
                .addUserMessage("Recorded as a stream").build();
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> chunks = openAi.chat().completions().createStreaming(fromStream)) {
            chunks.stream().forEach(chunk -> chunk.choices().forEach(choice -> choice.delta().content().ifPresent(streamed::append)));
        }
        HttpResponseFor<ChatCompletion> plain = openAi.chat().completions().withRawResponse().create(fromStream);
        assertEquals("HIT", plain.headers().values("X-Sidecar-Cache").get(0));
        assertEquals(streamed.toString(), plain.parse().choices().get(0).message().content().orElseThrow());

        ChatCompletionCreateParams fromPlain = ChatCompletionCreateParams.builder().model(MODEL).temperature(0.0)
                .addUserMessage("Recorded plain").build();
        String answer = openAi.chat().completions().create(fromPlain).choices().get(0).message().content().orElseThrow();
        StringBuilder replayed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> chunks = openAi.chat().completions().createStreaming(fromPlain)) {
            chunks.stream().forEach(chunk -> chunk.choices().forEach(choice -> choice.delta().content().ifPresent(replayed::append)));
        }
        assertEquals(answer, replayed.toString());
        assertEquals(2, emulator.requestCount(CHAT), "one call for each recorded answer, none for the replays");
    }

    @Test
    void noCacheSkipsTheLookupButStoresAndNoStoreDoesNeither() {
        String body = deterministic("Control me", false);
        Response stored = given().contentType(ContentType.JSON).header("Cache-Control", "no-cache").body(body).post(CHAT);
        assertEquals("MISS", stored.header("X-Sidecar-Cache"));
        Response bypassed = given().contentType(ContentType.JSON).header("Cache-Control", "no-store").body(body).post(CHAT);
        assertEquals("BYPASS", bypassed.header("X-Sidecar-Cache"));
        assertEquals("HIT", post(body).header("X-Sidecar-Cache"), "what no-cache stored is there");
        assertEquals(2, emulator.requestCount(CHAT));
    }

    @Test
    void aFallbacksAnswerIsKeptUnderTheModelThatAnsweredAndSaysSoOnAHit() {
        // deepseek-coder-34b is in the catalog but not on this LM Studio: qwen2.5-7b-instruct answers for it
        Response first = post(deterministic("deepseek-coder-34b", "Answer for another", false));
        assertEquals("MISS", first.header("X-Sidecar-Cache"));
        assertEquals(MODEL, first.header("X-Sidecar-Model"));
        int generated = emulator.completedGenerations();

        Response again = post(deterministic("deepseek-coder-34b", "Answer for another", false));
        assertEquals("HIT", again.header("X-Sidecar-Cache"));
        assertEquals(MODEL, again.header("X-Sidecar-Model"), "a hit names the model whose answer it is");
        assertEquals(first.jsonPath().getString("choices[0].message.content"),
                again.jsonPath().getString("choices[0].message.content"));

        Response direct = post(deterministic(MODEL, "Answer for another", false));
        assertEquals("HIT", direct.header("X-Sidecar-Cache"), "the answer is the answering model's, whoever was asked");
        // The named model is still tried first (it may have come back); its stand-in generates nothing again.
        assertEquals(generated, emulator.completedGenerations(), "nothing was generated again");
    }

    @Test
    void embeddingsAreCached() {
        String body = "{\"model\":\"text-embedding-nomic-embed-text-v1.5\",\"input\":\"cache me\"}";
        given().contentType(ContentType.JSON).body(body).post("/v1/embeddings").then().statusCode(200).header("X-Sidecar-Cache", "MISS");
        given().contentType(ContentType.JSON).body(body).post("/v1/embeddings").then().statusCode(200).header("X-Sidecar-Cache", "HIT");
        assertEquals(1, emulator.requestCount("/v1/embeddings"));
    }

    @Test
    void identicalConcurrentMissesReachLmStudioOnce() throws Exception {
        emulator.tokenDelay(Duration.ofMillis(30)); // long enough for all to arrive while the first is answered
        String body = deterministic("Everyone asks this", false);
        ExecutorService clients = Executors.newFixedThreadPool(20);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                answers.add(clients.submit(() -> post(body)));
            }
            String id = null;
            for (Future<Response> answer : answers) {
                Response response = answer.get();
                assertEquals(200, response.statusCode(), response.asString());
                id = id == null ? response.jsonPath().getString("id") : id;
                assertEquals(id, response.jsonPath().getString("id"), "every client got the one answer");
            }
        } finally {
            clients.shutdownNow();
        }
        assertEquals(1, emulator.requestCount(CHAT), "LM Studio was asked once");
    }

    @Test
    void aStreamCutShortIsNotCached() {
        emulator.dropStreamAfter(2);
        post(deterministic("Cut me", true));
        emulator.reset();
        assertEquals("MISS", post(deterministic("Cut me", true)).header("X-Sidecar-Cache"));
    }

    @Test
    void aStreamThatStalledIsNotCached() {
        emulator.tokensPerResponse(10);
        emulator.stallAfter(3);
        String stalled = post(deterministic("Stall on me", true)).then().statusCode(200).extract().asString();
        assertTrue(stalled.contains("\"code\":\"upstream_timeout\""), stalled);
        emulator.reset();
        assertEquals("MISS", post(deterministic("Stall on me", true)).header("X-Sidecar-Cache"));
    }

    @Test
    void aStreamThatEndsCleanlyMidEventEndsWithAnErrorEventAndIsNotCached() {
        emulator.tokensPerResponse(10);
        emulator.truncateJsonNext(); // half an event, then a clean end of the chunked body, no [DONE]
        String cut = post(deterministic("Cut me short", true)).then().statusCode(200).extract().asString();
        assertTrue(cut.endsWith("\n\n"), "the stream ends with a whole event: " + cut);
        String[] events = cut.split("\n\n");
        String last = events[events.length - 1];
        assertTrue(last.startsWith("data: {\"error\":") && last.contains("\"code\":\"bad_upstream_response\"")
                && last.contains("in the middle of an event"), "the last event is the error: " + cut);
        assertFalse(cut.contains("data: [DONE]"), cut);
        emulator.reset();
        assertEquals("MISS", post(deterministic("Cut me short", true)).header("X-Sidecar-Cache"));
    }

    @Test
    void aStreamTheClientHungUpOnIsNotCached() throws Exception {
        emulator.tokenDelay(Duration.ofMillis(100));
        byte[] body = deterministic("Hang up on me", true).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (java.net.Socket socket = new java.net.Socket(sidecar.getHost(), sidecar.getPort())) {
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST " + CHAT + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            java.io.InputStream in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            while (!seen.toString().contains("data:")) { // the stream has started: hang up in the middle of it
                int b = in.read();
                assertTrue(b >= 0, "the stream ended before its first chunk: " + seen);
                seen.append((char) b);
            }
        }
        dev.lmstudiosidecar.testsupport.Eventually.await("the sidecar stopped the generation", Duration.ofSeconds(5),
                () -> emulator.abortedGenerations() >= 1);
        emulator.reset();
        assertEquals("MISS", post(deterministic("Hang up on me", true)).header("X-Sidecar-Cache"));
    }

    @Test
    void anErrorIsNotCached() {
        emulator.failNext(10, 400);
        post(deterministic("Refuse me", false)).then().statusCode(400);
        emulator.reset();
        Response after = post(deterministic("Refuse me", false));
        assertEquals(200, after.statusCode());
        assertEquals("MISS", after.header("X-Sidecar-Cache"));
    }

    @Test
    void aRequestsOwnTimeToLiveEndsItsEntry() throws InterruptedException {
        String body = deterministic("Forget me soon", false);
        given().contentType(ContentType.JSON).header("X-Sidecar-Cache-TTL", "1").body(body).post(CHAT).then().statusCode(200);
        assertEquals("HIT", post(body).header("X-Sidecar-Cache"));
        Thread.sleep(1_200);
        assertEquals("MISS", post(body).header("X-Sidecar-Cache"), "expired after its one second");
        given().contentType(ContentType.JSON).header("X-Sidecar-Cache-TTL", "soon").body(body).post(CHAT).then().statusCode(400)
                .body("error.message", org.hamcrest.Matchers.startsWith("X-Sidecar-Cache-TTL must be a positive duration"));
    }

    @Test
    void hitsAndMissesAreCountedForPrometheus() {
        post(deterministic("Measure me", false));
        post(deterministic("Measure me", false));
        dev.lmstudiosidecar.testsupport.PrometheusScrape scrape = dev.lmstudiosidecar.testsupport.PrometheusScrape.now();
        assertTrue(scrape.sum("sidecar_cache_requests_total", "result=hit") >= 1, scrape.toString());
        assertTrue(scrape.sum("sidecar_cache_requests_total", "result=miss") >= 1, scrape.toString());
        assertTrue(scrape.sum("sidecar_cache_size_bytes", "tier=memory") > 0, "the answer is held in memory");
    }

    @Test
    void theAdminViewCountsAndTheDeleteEmpties() {
        post(deterministic("Count me", false));
        post(deterministic("Count me", false));
        given().get("/admin/cache").then().statusCode(200)
                .body("enabled", org.hamcrest.Matchers.equalTo(true))
                .body("hits", org.hamcrest.Matchers.greaterThanOrEqualTo(1))
                .body("memory.entries", org.hamcrest.Matchers.greaterThanOrEqualTo(1));
        given().delete("/admin/cache?model=" + MODEL).then().statusCode(200).body("model", org.hamcrest.Matchers.equalTo(MODEL));
        assertEquals("MISS", post(deterministic("Count me", false)).header("X-Sidecar-Cache"));
    }
}
