package dev.lmstudiosidecar.testsupport.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.ErrorStyle;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Proves the emulator's surface and knobs over real sockets; one server, reset between tests. */
class LmStudioEmulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "{\"model\":\"qwen2.5-7b-instruct\",\"messages\":[{\"role\":\"user\",\"content\":\"say hi\"}]}";

    private static LmStudioEmulator emulator;
    // HTTP/1.1 like the sidecar's upstream client; short connect timeout keeps the refused-connection test fast
    private static final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    @BeforeAll
    static void startEmulator() {
        emulator = LmStudioEmulator.start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @BeforeEach
    void freshEmulator() {
        emulator.reset();
    }

    // ---- discovery

    @Test
    void greetingSaysLmStudioAndGenericServerHasNone() throws Exception {
        HttpResponse<String> greeting = get("/lmstudio-greeting");
        assertEquals(200, greeting.statusCode());
        assertEquals(true, json(greeting).path("lmstudio").asBoolean());

        emulator.shape(Shape.GENERIC_OPENAI);
        assertEquals(404, get("/lmstudio-greeting").statusCode());
    }

    @Test
    void openAiModelsListEveryDownloadedModelWithJitAndOnlyLoadedOnesWithout() throws Exception {
        assertEquals(List.of("qwen2.5-7b-instruct", "phi-3-mini", "text-embedding-nomic-embed-text-v1.5"),
                ids(json(get("/v1/models")).path("data"), "id"));

        emulator.jitLoading(false);
        assertEquals(List.of("qwen2.5-7b-instruct", "text-embedding-nomic-embed-text-v1.5"),
                ids(json(get("/v1/models")).path("data"), "id"));
    }

    @Test
    void restV1ModelsShowLoadedInstancesSizesAndQuantization() throws Exception {
        JsonNode models = json(get("/api/v1/models")).path("models");
        assertEquals(3, models.size());
        JsonNode qwen = models.get(0);
        assertEquals("qwen2.5-7b-instruct", qwen.path("key").asText());
        assertEquals("llm", qwen.path("type").asText());
        assertEquals(4_683_000_000L, qwen.path("size_bytes").asLong());
        assertEquals("7B", qwen.path("params_string").asText());
        assertEquals("Q4_K_M", qwen.path("quantization").path("name").asText());
        assertEquals(4, qwen.path("quantization").path("bits_per_weight").asInt());
        assertEquals(32768, qwen.path("max_context_length").asInt());
        assertEquals("qwen2.5-7b-instruct", qwen.path("loaded_instances").get(0).path("id").asText());
        assertTrue(qwen.path("loaded_instances").get(0).path("config").path("context_length").asInt() > 0);
        assertEquals(0, models.get(1).path("loaded_instances").size());
        assertEquals("embedding", models.get(2).path("type").asText());
    }

    @Test
    void lmStudio03HasV0ModelsWithStateButV1RouteIsTheUnknownEndpointQuirk() throws Exception {
        emulator.shape(Shape.LMSTUDIO_0_3);
        JsonNode data = json(get("/api/v0/models")).path("data");
        assertEquals("loaded", data.get(0).path("state").asText());
        assertEquals("not-loaded", data.get(1).path("state").asText());
        assertEquals("embeddings", data.get(2).path("type").asText());

        HttpResponse<String> v1 = get("/api/v1/models");
        assertEquals(200, v1.statusCode());
        assertTrue(json(v1).path("error").asText().startsWith("Unexpected endpoint or method."));
    }

    @Test
    void genericServerAnswers404ForLmStudioRoutes() throws Exception {
        emulator.shape(Shape.GENERIC_OPENAI);
        HttpResponse<String> v0 = get("/api/v0/models");
        assertEquals(404, v0.statusCode());
        assertTrue(json(v0).path("error").has("message"));
        assertEquals(200, get("/v1/models").statusCode());
    }

    @Test
    void unknownRouteAnswers200WithAnErrorBody() throws Exception {
        HttpResponse<String> response = get("/v1/nope?x=1");
        assertEquals(200, response.statusCode());
        assertEquals("Unexpected endpoint or method. (GET /v1/nope)", json(response).path("error").asText());
    }

    // ---- generation

    @Test
    void chatAnswersWithTheConfiguredNumberOfTokensAndUsage() throws Exception {
        emulator.tokensPerResponse(3);
        HttpResponse<String> response = post("/v1/chat/completions", CHAT);
        assertEquals(200, response.statusCode());
        JsonNode body = json(response);
        assertEquals("chat.completion", body.path("object").asText());
        assertEquals("qwen2.5-7b-instruct", body.path("model").asText());
        assertEquals("tok0 tok1 tok2 ", body.path("choices").get(0).path("message").path("content").asText());
        assertEquals("stop", body.path("choices").get(0).path("finish_reason").asText());
        assertEquals(3, body.path("usage").path("completion_tokens").asInt());
        assertEquals(2, body.path("usage").path("prompt_tokens").asInt());
        assertEquals(1, emulator.completedGenerations());
        assertEquals(0, emulator.activeGenerations());
    }

    @Test
    void chatStreamSendsRoleTokensFinishUsageThenDone() throws Exception {
        emulator.tokensPerResponse(4);
        String body = "{\"model\":\"qwen2.5-7b-instruct\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<String> response = post("/v1/chat/completions", body);
        assertEquals("text/event-stream", response.headers().firstValue("content-type").orElseThrow());
        List<String> events = dataEvents(response.body());
        assertEquals(1 + 4 + 1 + 1 + 1, events.size()); // role, tokens, finish, usage, [DONE]
        assertEquals("assistant", JSON.readTree(events.get(0)).path("choices").get(0).path("delta").path("role").asText());
        assertEquals("tok3 ", JSON.readTree(events.get(4)).path("choices").get(0).path("delta").path("content").asText());
        assertEquals("stop", JSON.readTree(events.get(5)).path("choices").get(0).path("finish_reason").asText());
        assertEquals(4, JSON.readTree(events.get(6)).path("usage").path("completion_tokens").asInt());
        assertEquals("[DONE]", events.get(7));
    }

    @Test
    void completionsStreamWithoutUsageEndsWithFinishThenDone() throws Exception {
        emulator.tokensPerResponse(2);
        List<String> events = dataEvents(post("/v1/completions",
                "{\"model\":\"qwen2.5-7b-instruct\",\"prompt\":\"once upon\",\"stream\":true}").body());
        assertEquals(2 + 1 + 1, events.size());
        assertEquals("tok0 ", JSON.readTree(events.get(0)).path("choices").get(0).path("text").asText());
        assertEquals("[DONE]", events.get(3));
    }

    @Test
    void maxTokensCutsTheAnswerWithFinishReasonLength() throws Exception {
        JsonNode body = json(post("/v1/completions", "{\"model\":\"qwen2.5-7b-instruct\",\"prompt\":\"x\",\"max_tokens\":2}"));
        assertEquals("tok0 tok1 ", body.path("choices").get(0).path("text").asText());
        assertEquals("length", body.path("choices").get(0).path("finish_reason").asText());
    }

    @Test
    void embeddingsAreDeterministicPerTextAndRejectChatModels() throws Exception {
        String request = "{\"model\":\"text-embedding-nomic-embed-text-v1.5\",\"input\":[\"a\",\"b\",\"a\"]}";
        JsonNode data = json(post("/v1/embeddings", request)).path("data");
        assertEquals(3, data.size());
        assertEquals(8, data.get(0).path("embedding").size());
        assertEquals(data.get(0).path("embedding"), data.get(2).path("embedding"));
        assertFalse(data.get(0).path("embedding").equals(data.get(1).path("embedding")));

        assertEquals(400, post("/v1/embeddings", "{\"model\":\"qwen2.5-7b-instruct\",\"input\":\"a\"}").statusCode());
    }

    @Test
    void missingModelUsesTheFirstLoadedModelOfTheRightKind() throws Exception {
        assertEquals("qwen2.5-7b-instruct",
                json(post("/v1/chat/completions", "{\"messages\":[]}")).path("model").asText());
        assertEquals("text-embedding-nomic-embed-text-v1.5",
                json(post("/v1/embeddings", "{\"input\":\"x\"}")).path("model").asText());
    }

    @Test
    void malformedJsonIsA400() throws Exception {
        assertEquals(400, post("/v1/chat/completions", "{not json").statusCode());
    }

    // ---- models: JIT, load, unload

    @Test
    void jitLoadsAnUnloadedModelOnFirstUseAndCountsOneLoad() throws Exception {
        emulator.loadDelay(Duration.ofMillis(50));
        assertFalse(emulator.loadedModels().contains("phi-3-mini"));
        HttpResponse<String> response = post("/v1/chat/completions", CHAT.replace("qwen2.5-7b-instruct", "phi-3-mini"));
        assertEquals(200, response.statusCode());
        assertTrue(emulator.loadedModels().contains("phi-3-mini"));
        assertEquals(1, emulator.loadCount("phi-3-mini"));
        post("/v1/chat/completions", CHAT.replace("qwen2.5-7b-instruct", "phi-3-mini"));
        assertEquals(1, emulator.loadCount("phi-3-mini"), "an already loaded model is not loaded again");
    }

    @Test
    void concurrentJitRequestsForAnUnloadedModelEachStartALoad() throws Exception {
        emulator.loadDelay(Duration.ofMillis(200));
        String phi = CHAT.replace("qwen2.5-7b-instruct", "phi-3-mini");
        CompletableFuture<HttpResponse<String>> a = postAsync("/v1/chat/completions", phi);
        CompletableFuture<HttpResponse<String>> b = postAsync("/v1/chat/completions", phi);
        assertEquals(200, a.get(5, TimeUnit.SECONDS).statusCode());
        assertEquals(200, b.get(5, TimeUnit.SECONDS).statusCode());
        assertEquals(2, emulator.loadCount("phi-3-mini"));
        assertEquals(List.of("phi-3-mini", "phi-3-mini:2"), emulator.loadedInstances("phi-3-mini"));
    }

    @Test
    void withJitOffAnUnloadedModelIsAnErrorInTheCurrentStyle() throws Exception {
        emulator.jitLoading(false);
        String phi = CHAT.replace("qwen2.5-7b-instruct", "phi-3-mini");
        HttpResponse<String> object = post("/v1/chat/completions", phi);
        assertEquals(404, object.statusCode());
        assertTrue(json(object).path("error").path("message").asText().contains("not loaded"));

        emulator.errorStyle(ErrorStyle.STRING);
        HttpResponse<String> string = post("/v1/chat/completions", phi);
        assertEquals(400, string.statusCode());
        assertTrue(json(string).path("error").isTextual());
        assertEquals(0, emulator.loadCount("phi-3-mini"));
    }

    @Test
    void unknownModelIs404ObjectOr400StringByErrorStyle() throws Exception {
        String ghost = CHAT.replace("qwen2.5-7b-instruct", "ghost");
        HttpResponse<String> object = post("/v1/chat/completions", ghost);
        assertEquals(404, object.statusCode());
        assertEquals("model_not_found", json(object).path("error").path("code").asText());

        emulator.errorStyle(ErrorStyle.STRING);
        HttpResponse<String> string = post("/v1/chat/completions", ghost);
        assertEquals(400, string.statusCode());
        assertEquals("Model with key 'ghost' not found.", json(string).path("error").asText());
    }

    @Test
    void explicitLoadAddsInstancesAndUnloadRemovesThem() throws Exception {
        JsonNode first = json(post("/api/v1/models/load", "{\"model\":\"phi-3-mini\",\"context_length\":2048}"));
        assertEquals("phi-3-mini", first.path("instance_id").asText());
        assertEquals("loaded", first.path("status").asText());
        JsonNode second = json(post("/api/v1/models/load", "{\"model\":\"phi-3-mini\"}"));
        assertEquals("phi-3-mini:2", second.path("instance_id").asText());
        assertEquals(2, emulator.loadCount("phi-3-mini"));

        assertEquals("phi-3-mini", json(post("/api/v1/models/unload", "{\"instance_id\":\"phi-3-mini\"}")).path("instance_id").asText());
        assertEquals(List.of("phi-3-mini:2"), emulator.loadedInstances("phi-3-mini"));
        assertEquals(404, post("/api/v1/models/unload", "{\"instance_id\":\"phi-3-mini\"}").statusCode());
        assertEquals(404, post("/api/v1/models/load", "{\"model\":\"ghost\"}").statusCode());
    }

    @Test
    void evictUnloadsEveryInstance() {
        emulator.evict("qwen2.5-7b-instruct");
        assertEquals(Set.of("text-embedding-nomic-embed-text-v1.5"), emulator.loadedModels());
    }

    // ---- faults

    @Test
    void failNextFailsExactlyThatManyGenerationRequests() throws Exception {
        emulator.failNext(2, 503);
        HttpResponse<String> first = post("/v1/chat/completions", CHAT);
        assertEquals(503, first.statusCode());
        assertEquals("server_error", json(first).path("error").path("type").asText());
        assertEquals(503, post("/v1/chat/completions", CHAT).statusCode());
        assertEquals(200, post("/v1/chat/completions", CHAT).statusCode());
        assertEquals(200, get("/v1/models").statusCode(), "model listing is not a generation");
        assertEquals(3, emulator.requestCount("/v1/chat/completions"));
        assertEquals(1, emulator.completedGenerations());
    }

    @Test
    void hangNextKeepsTheRequestActiveUntilReset() throws Exception {
        emulator.hangNext(1);
        CompletableFuture<HttpResponse<String>> hung = postAsync("/v1/chat/completions", CHAT);
        awaitTrue(() -> emulator.activeGenerations() == 1);
        assertEquals(200, post("/v1/chat/completions", CHAT).statusCode(), "only the next request hangs");
        assertFalse(hung.isDone());

        emulator.reset();
        assertTrue(assertThrows(Exception.class, () -> hung.get(5, TimeUnit.SECONDS)).getCause() instanceof IOException);
        assertEquals(0, emulator.activeGenerations());
        assertEquals(0, emulator.abortedGenerations(), "a server-side cut is not a client abort");
    }

    @Test
    void clientClosingMidStreamCountsAsAbortedGeneration() throws Exception {
        emulator.tokensPerResponse(50);
        emulator.tokenDelay(Duration.ofMillis(20));
        try (Socket socket = rawPost("/v1/chat/completions", CHAT.replace("\"messages\"", "\"stream\":true,\"messages\""))) {
            readUntil(socket.getInputStream(), "tok0 ");
        }
        awaitTrue(() -> emulator.abortedGenerations() == 1);
        assertEquals(0, emulator.activeGenerations());
        assertEquals(0, emulator.completedGenerations());
    }

    @Test
    void dropStreamAfterCutsTheConnectionWithoutDone() throws Exception {
        emulator.tokensPerResponse(10);
        emulator.dropStreamAfter(3);
        String received;
        try (Socket socket = rawPost("/v1/chat/completions", CHAT.replace("\"messages\"", "\"stream\":true,\"messages\""))) {
            received = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // until the server closes
        }
        assertEquals(3, received.split("data: ", -1).length - 1);
        assertFalse(received.contains("[DONE]"));
        assertEquals(1, emulator.droppedStreams());
        assertEquals(0, emulator.abortedGenerations());
        assertEquals(1 + 10 + 1 + 1, dataEvents(post("/v1/chat/completions",
                CHAT.replace("\"messages\"", "\"stream\":true,\"messages\"")).body()).size(), "only one stream is dropped");
    }

    @Test
    void resetNextOnArrivalClosesTheConnectionBeforeAnyByte() throws Exception {
        emulator.resetNextOnArrival(1);
        try (Socket socket = rawPost("/v1/chat/completions", CHAT)) {
            assertEquals(0, socket.getInputStream().readAllBytes().length);
        }
        assertEquals(1, emulator.droppedStreams());
        assertEquals(200, post("/v1/chat/completions", CHAT).statusCode(), "only the next request is cut");
    }

    @Test
    void rateLimitNextIs429WithRetryAfterOnce() throws Exception {
        emulator.rateLimitNext(1);
        HttpResponse<String> limited = post("/v1/embeddings", "{\"model\":\"text-embedding-nomic-embed-text-v1.5\",\"input\":\"hi\"}");
        assertEquals(429, limited.statusCode());
        assertEquals("1", limited.headers().firstValue("Retry-After").orElse(null));
        assertTrue(json(limited).path("error").path("message").isTextual());
        assertEquals(200, post("/v1/chat/completions", CHAT).statusCode());
    }

    @Test
    void resetMidBodyCutsAPlainAnswerAfterHalfOfWhatItsLengthPromised() throws Exception {
        emulator.resetMidBody();
        String received;
        try (Socket socket = rawPost("/v1/chat/completions", CHAT)) {
            received = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        int length = Integer.parseInt(received.replaceAll("(?s).*[Cc]ontent-[Ll]ength: (\\d+).*", "$1"));
        String body = received.substring(received.indexOf("\r\n\r\n") + 4);
        assertEquals(length / 2, body.getBytes(StandardCharsets.UTF_8).length, received);
        assertEquals(1, emulator.droppedStreams());
    }

    @Test
    void resetMidBodyCutsAStreamAfterItsFirstTokenWithoutDone() throws Exception {
        emulator.tokensPerResponse(10);
        emulator.resetMidBody();
        String received;
        try (Socket socket = rawPost("/v1/chat/completions", CHAT.replace("\"messages\"", "\"stream\":true,\"messages\""))) {
            received = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(received.contains("tok0 "), received);
        assertFalse(received.contains("[DONE]"), received);
        assertEquals(1, emulator.droppedStreams());
    }

    @Test
    void truncateJsonNextIsAWellFramed200WhoseJsonStopsMidObject() throws Exception {
        emulator.truncateJsonNext();
        HttpResponse<String> cut = post("/v1/completions", "{\"model\":\"qwen2.5-7b-instruct\",\"prompt\":\"hi\"}");
        assertEquals(200, cut.statusCode());
        assertTrue(cut.body().startsWith("{\"id\""), cut.body());
        assertThrows(IOException.class, () -> JSON.readTree(cut.body()));
        HttpResponse<String> stream = post("/v1/chat/completions", CHAT.replace("\"messages\"", "\"stream\":true,\"messages\""));
        assertEquals(200, stream.statusCode(), "only the next answer is cut");
        assertTrue(stream.body().endsWith("data: [DONE]\n\n"));

        emulator.truncateJsonNext();
        String truncated = post("/v1/chat/completions", CHAT.replace("\"messages\"", "\"stream\":true,\"messages\"")).body();
        assertFalse(truncated.contains("[DONE]"), truncated);
        assertFalse(truncated.endsWith("\n\n"), "the last event stops mid-JSON: " + truncated);
    }

    @Test
    void errorBodyNextAnswers200WithAnErrorString() throws Exception {
        emulator.errorBodyNext("Model crashed");
        HttpResponse<String> answer = post("/v1/chat/completions", CHAT);
        assertEquals(200, answer.statusCode());
        assertEquals("Model crashed", json(answer).path("error").asText());
        assertEquals(0, emulator.completedGenerations());
        assertEquals(200, post("/v1/chat/completions", CHAT).statusCode());
        assertEquals(1, emulator.completedGenerations());
    }

    @Test
    void oversizeNextMakesACorrectAnswerAtLeastThatLarge() throws Exception {
        emulator.oversizeNext(100_000);
        HttpResponse<String> chat = post("/v1/chat/completions", CHAT);
        assertTrue(chat.body().length() >= 100_000);
        assertTrue(json(chat).path("choices").get(0).path("message").path("content").asText().startsWith("tok0 tok1 "));
        emulator.oversizeNext(100_000);
        HttpResponse<String> embeddings = post("/v1/embeddings", "{\"model\":\"text-embedding-nomic-embed-text-v1.5\",\"input\":\"hi\"}");
        assertTrue(embeddings.body().length() >= 100_000);
        assertEquals(8, json(embeddings).path("data").get(0).path("embedding").size());
        emulator.oversizeNext(100_000);
        String stream = post("/v1/chat/completions", CHAT.replace("\"messages\"", "\"stream\":true,\"messages\"")).body();
        assertTrue(stream.length() >= 100_000);
        assertTrue(stream.endsWith("data: [DONE]\n\n"));
        assertTrue(post("/v1/chat/completions", CHAT).body().length() < 1000, "only the next answer is oversized");
    }

    @Test
    void evictMidGenerationUnloadsTheModelAndBreaksTheAnswerOff() throws Exception {
        emulator.tokensPerResponse(10);
        emulator.evictMidGeneration();
        try (Socket socket = rawPost("/v1/chat/completions", CHAT.replace("\"messages\"", "\"stream\":true,\"messages\""))) {
            String received = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(received.contains("tok0 "), received);
            assertFalse(received.contains("[DONE]"), received);
        }
        assertFalse(emulator.loadedModels().contains("qwen2.5-7b-instruct"));
        emulator.evictMidGeneration();
        try (Socket socket = rawPost("/v1/chat/completions", CHAT)) {
            assertEquals(0, socket.getInputStream().readAllBytes().length, "a plain answer breaks off before its head");
        }
        assertEquals(2, emulator.droppedStreams());
        assertEquals(200, post("/v1/chat/completions", CHAT).statusCode(), "JIT loads it again");
        assertTrue(emulator.loadedModels().contains("qwen2.5-7b-instruct"));
    }

    @Test
    void openConnectionsCountsSocketsUntilTheyClose() throws Exception {
        int before = emulator.openConnections(); // the test client's kept-alive ones
        try (Socket socket = rawPost("/v1/chat/completions", CHAT)) {
            awaitTrue(() -> emulator.openConnections() == before + 1);
        }
        awaitTrue(() -> emulator.openConnections() == before);
    }

    @Test
    void refusedConnectionsComeBackOnTheSamePort() throws Exception {
        int port = emulator.port();
        emulator.refuseConnections(true);
        assertTrue(assertThrows(IOException.class, () -> get("/lmstudio-greeting")) instanceof ConnectException);
        emulator.refuseConnections(false);
        assertEquals(port, emulator.port());
        assertEquals(200, get("/lmstudio-greeting").statusCode());
    }

    @Test
    void severalEventLoopsShareOneRandomPortForBenchmarks() throws Exception {
        try (LmStudioEmulator wide = LmStudioEmulator.start(0, 2)) {
            HttpResponse<String> greeting = http.send(HttpRequest.newBuilder(URI.create(wide.rootUrl() + "/lmstudio-greeting"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, greeting.statusCode());
            assertTrue(wide.port() > 0);
        }
    }

    // ---- observations

    @Test
    void concurrentGenerationsAreTrackedWithAHighWaterMark() throws Exception {
        emulator.tokenDelay(Duration.ofMillis(40)); // 5 tokens: each answer takes 200 ms
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            calls.add(postAsync("/v1/chat/completions", CHAT));
        }
        awaitTrue(() -> emulator.activeGenerations() == 3);
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            assertEquals(200, call.get(5, TimeUnit.SECONDS).statusCode());
        }
        assertEquals(3, emulator.maxConcurrentGenerations());
        assertEquals(3, emulator.completedGenerations());
        assertEquals(0, emulator.activeGenerations());
    }

    @Test
    void requestsAreRecordedWithCaseInsensitiveHeadersAndBoundedHistory() throws Exception {
        http.send(HttpRequest.newBuilder(URI.create(emulator.rootUrl() + "/v1/chat/completions?trace=1"))
                .header("X-Request-Id", "abc")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build(), HttpResponse.BodyHandlers.ofString());
        RecordedRequest recorded = emulator.lastRequest("/v1/chat/completions");
        assertNotNull(recorded);
        assertEquals("POST", recorded.method());
        assertEquals("/v1/chat/completions?trace=1", recorded.path());
        assertEquals("abc", recorded.header("x-request-id"));
        assertEquals("qwen2.5-7b-instruct", recorded.bodyJson().path("model").asText());

        HttpRequest greeting = HttpRequest.newBuilder(URI.create(emulator.rootUrl() + "/lmstudio-greeting")).GET().build();
        for (int batch = 0; batch < 1005; batch += 15) { // 67 batches of 15 concurrent requests: quick, few connections
            List<CompletableFuture<HttpResponse<Void>>> inFlight = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                inFlight.add(http.sendAsync(greeting, HttpResponse.BodyHandlers.discarding()));
            }
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        }
        assertEquals(1000, emulator.requests().size());
        assertEquals(1005, emulator.requestCount("/lmstudio-greeting"));
        assertEquals("/lmstudio-greeting", emulator.requests().get(0).path());
    }

    @Test
    void resetRestoresDefaultModelsAndClearsCounters() throws Exception {
        emulator.removeAllModels();
        emulator.addModel("tiny", "llm", 1, "1B", "Q4_0", 1024, true);
        post("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[]}");
        emulator.reset();
        assertEquals(Set.of("qwen2.5-7b-instruct", "text-embedding-nomic-embed-text-v1.5"), emulator.loadedModels());
        assertEquals(0, emulator.completedGenerations());
        assertEquals(0, emulator.requestCount("/v1/chat/completions"));
        assertTrue(emulator.requests().isEmpty());
    }

    // ---- helpers

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(emulator.rootUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(postRequest(path, body), HttpResponse.BodyHandlers.ofString());
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(String path, String body) {
        return http.sendAsync(postRequest(path, body), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest postRequest(String path, String body) {
        return HttpRequest.newBuilder(URI.create(emulator.rootUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** A raw socket, so a test controls exactly when the client goes away. */
    private static Socket rawPost(String path, String body) throws IOException {
        Socket socket = new Socket("127.0.0.1", emulator.port());
        socket.setSoTimeout(5000);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length + "\r\n\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return socket;
    }

    private static void readUntil(InputStream in, String marker) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            seen.write(buffer, 0, n);
            if (seen.toString(StandardCharsets.UTF_8).contains(marker)) {
                return;
            }
        }
        throw new IOException("stream ended before " + marker);
    }

    private static List<String> dataEvents(String sse) {
        List<String> events = new ArrayList<>();
        for (String event : sse.split("\n\n")) {
            if (event.startsWith("data: ")) {
                events.add(event.substring("data: ".length()));
            }
        }
        return events;
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static List<String> ids(JsonNode array, String field) {
        List<String> ids = new ArrayList<>();
        array.forEach(n -> ids.add(n.path(field).asText()));
        return ids;
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(5);
        }
    }
}
