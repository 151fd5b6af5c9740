package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.Eventually;
import dev.lmstudiosidecar.testsupport.PrometheusScrape;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Every per-request metric moves by what known traffic makes it move: the emulator counts one
 * prompt token per word of the messages and answers {@code tokensPerResponse} completion tokens.
 */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class GenAiMetricsTest extends EmulatedLmStudioTest {

    private static final String QWEN = "qwen2.5-7b-instruct";
    private static final String CHAT = "/v1/chat/completions";
    private static final String DURATION = "gen_ai_client_operation_duration_seconds_count";
    private static final String TOKENS = "gen_ai_client_token_usage_sum";
    private static final String REQUESTS = "sidecar_requests_total";

    @TestHTTPResource("/")
    URL sidecar;

    private static String chatBody(String model, boolean stream, String extra) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + extra
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"one two three\"}]}";
    }

    private static String postChat(String body) {
        return given().contentType(ContentType.JSON).body(body).post(CHAT).then().statusCode(200).extract().asString();
    }

    /** What {@code name} gained between two scrapes, over the series with these labels. */
    private static double delta(PrometheusScrape before, PrometheusScrape after, String name, String... labels) {
        return after.sum(name, labels) - before.sum(name, labels);
    }

    private static String[] answered(String operation, String model, String... more) {
        String[] base = {"gen_ai_operation_name=" + operation, "gen_ai_request_model=" + model, "gen_ai_response_model=" + model,
                "gen_ai_provider_name=lmstudio"};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void aChatAnswerCountsItsDurationTokensAndOutcome() {
        emulator.tokensPerResponse(7);
        PrometheusScrape before = PrometheusScrape.now();
        postChat(chatBody(QWEN, false, ""));
        PrometheusScrape after = PrometheusScrape.now();
        assertEquals(1, delta(before, after, DURATION, answered("chat", QWEN, "error_type=")), after.toString());
        assertEquals(3, delta(before, after, TOKENS, answered("chat", QWEN, "gen_ai_token_type=input")));
        assertEquals(7, delta(before, after, TOKENS, answered("chat", QWEN, "gen_ai_token_type=output")));
        assertEquals(1, delta(before, after, "gen_ai_client_token_usage_count", answered("chat", QWEN, "gen_ai_token_type=output")));
        assertEquals(1, delta(before, after, REQUESTS, "gen_ai_operation_name=chat", "gen_ai_request_model=" + QWEN, "outcome=success"));
        assertEquals(0, delta(before, after, "gen_ai_server_time_to_first_token_seconds_count"), "no stream, no first token");
        assertTrue(after.sum("gen_ai_client_operation_duration_seconds_bucket", answered("chat", QWEN, "error_type=", "le=327.68")) >= 1,
                "buckets up to minutes: " + after.select("gen_ai_client_operation_duration_seconds_bucket"));
        assertEquals(17, after.select("gen_ai_client_operation_duration_seconds_bucket", answered("chat", QWEN, "error_type=")).size(),
                "16 bounds and +Inf, not a percentile histogram's hundreds");
    }

    @Test
    void aStreamWhoseClientDidNotAskForUsageIsCountedAndTheClientSeesNoUsage() {
        emulator.tokensPerResponse(7);
        PrometheusScrape before = PrometheusScrape.now();
        String sse = postChat(chatBody(QWEN, true, ""));
        PrometheusScrape after = PrometheusScrape.now();
        assertFalse(sse.contains("usage"), sse);
        assertEquals(10, sse.lines().filter(line -> line.startsWith("data: ")).count(), "role, 7 tokens, finish, [DONE]: " + sse);
        assertTrue(sse.strip().endsWith("data: [DONE]"), sse);
        assertTrue(emulator.lastRequest(CHAT).bodyJson().path("stream_options").path("include_usage").asBoolean(),
                "the sidecar asked LM Studio for the usage");
        assertEquals(3, delta(before, after, TOKENS, answered("chat", QWEN, "gen_ai_token_type=input")));
        assertEquals(7, delta(before, after, TOKENS, answered("chat", QWEN, "gen_ai_token_type=output")));
        assertEquals(1, delta(before, after, "gen_ai_server_time_to_first_token_seconds_count", answered("chat", QWEN)));
        assertEquals(1, delta(before, after, "gen_ai_server_time_per_output_token_seconds_count", answered("chat", QWEN)));
        assertEquals(1, delta(before, after, DURATION, answered("chat", QWEN, "error_type=")));
    }

    @Test
    void aClientThatAskedForUsageGetsItAndItsBodyAsSent() {
        emulator.tokensPerResponse(4);
        String body = chatBody(QWEN, true, ",\"stream_options\":{\"include_usage\":true}");
        PrometheusScrape before = PrometheusScrape.now();
        String sse = postChat(body);
        PrometheusScrape after = PrometheusScrape.now();
        assertTrue(sse.contains("\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4"), sse);
        assertEquals(body, emulator.lastRequest(CHAT).bodyAsString());
        assertEquals(4, delta(before, after, TOKENS, answered("chat", QWEN, "gen_ai_token_type=output")));
    }

    @Test
    void completionsAndEmbeddingsCountUnderTheirOwnOperations() {
        emulator.tokensPerResponse(2);
        String embedder = "text-embedding-nomic-embed-text-v1.5";
        PrometheusScrape before = PrometheusScrape.now();
        given().contentType(ContentType.JSON).body("{\"model\":\"" + QWEN + "\",\"prompt\":\"a b\",\"stream\":true}")
                .post("/v1/completions").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{\"model\":\"" + embedder + "\",\"input\":[\"a b\",\"c\"]}")
                .post("/v1/embeddings").then().statusCode(200);
        PrometheusScrape after = PrometheusScrape.now();
        assertEquals(2, delta(before, after, TOKENS, answered("text_completion", QWEN, "gen_ai_token_type=input")));
        assertEquals(2, delta(before, after, TOKENS, answered("text_completion", QWEN, "gen_ai_token_type=output")));
        assertEquals(3, delta(before, after, TOKENS, answered("embeddings", embedder, "gen_ai_token_type=input")));
        assertEquals(0, after.select(TOKENS, "gen_ai_operation_name=embeddings", "gen_ai_token_type=output").size());
        assertEquals(1, delta(before, after, DURATION, answered("embeddings", embedder, "error_type=")));
    }

    @Test
    void errorsCarryTheirTypeAndOutcome() {
        PrometheusScrape before = PrometheusScrape.now();
        ChatRequests.post("no-such-model", false).statusCode(404);
        given().contentType(ContentType.JSON).body("{\"model\":").post(CHAT).then().statusCode(400);
        emulator.tokensPerResponse(10);
        emulator.dropStreamAfter(3);
        postChat(chatBody(QWEN, true, "")); // cut after its start: 200, then an error event
        PrometheusScrape after = PrometheusScrape.now();
        assertEquals(1, delta(before, after, DURATION, "error_type=model_not_found", "gen_ai_request_model=other",
                "gen_ai_response_model=none"), "a name LM Studio does not list is no series of its own");
        assertEquals(1, delta(before, after, DURATION, "error_type=invalid_json", "gen_ai_request_model=none"));
        assertEquals(1, delta(before, after, DURATION, "error_type=bad_upstream_response", "gen_ai_request_model=" + QWEN));
        assertEquals(2, delta(before, after, REQUESTS, "outcome=client_error"));
        assertEquals(1, delta(before, after, REQUESTS, "outcome=server_error", "gen_ai_request_model=" + QWEN));
        assertEquals(0, delta(before, after, REQUESTS, "outcome=success"));
    }

    @Test
    void aClientThatLeavesMidStreamIsCancelled() throws Exception {
        emulator.tokensPerResponse(50);
        emulator.tokenDelay(Duration.ofMillis(50));
        PrometheusScrape before = PrometheusScrape.now();
        byte[] body = chatBody(QWEN, true, "").getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(sidecar.getHost(), sidecar.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + CHAT + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String seen = "";
            byte[] buffer = new byte[4096];
            while (!seen.contains("tok1")) {
                int n = in.read(buffer);
                assertTrue(n > 0, seen);
                seen += new String(buffer, 0, n, StandardCharsets.UTF_8);
            }
        }
        Eventually.await("the stream the client left counts as cancelled", Duration.ofSeconds(5),
                () -> delta(before, PrometheusScrape.now(), REQUESTS, "outcome=cancelled", "gen_ai_request_model=" + QWEN) == 1);
        assertEquals(1, delta(before, PrometheusScrape.now(), DURATION, "error_type=cancelled"));
    }

    @Test
    void retriesAndFallbacksAreCountedByModel() {
        PrometheusScrape before = PrometheusScrape.now();
        emulator.failNext(2, 500);
        ChatRequests.post(QWEN, false).statusCode(200).header("X-Sidecar-Attempts", "3");
        // deepseek-coder-34b is in the built-in catalog, not on this LM Studio: qwen2.5-7b-instruct stands in
        ChatRequests.post("deepseek-coder-34b", false).statusCode(200).header("X-Sidecar-Fallback", QWEN);
        PrometheusScrape after = PrometheusScrape.now();
        assertEquals(2, delta(before, after, "sidecar_retries_total", "gen_ai_provider_name=lmstudio", "gen_ai_request_model=" + QWEN));
        assertEquals(1, delta(before, after, "sidecar_fallbacks_total", "from=deepseek-coder-34b", "to=" + QWEN));
        assertEquals(1, delta(before, after, DURATION, "gen_ai_request_model=deepseek-coder-34b", "gen_ai_response_model=" + QWEN,
                "error_type="));
    }

    @Test
    void modelLoadsAndUnloadsAreCountedWithTheirTime() {
        emulator.loadDelay(Duration.ofMillis(300));
        when().post("/admin/models/refresh").then().statusCode(200);
        PrometheusScrape before = PrometheusScrape.now();
        when().post("/admin/models/phi-3-mini/load").then().statusCode(200);
        when().post("/admin/models/phi-3-mini/unload").then().statusCode(200);
        PrometheusScrape after = PrometheusScrape.now();
        assertEquals(1, delta(before, after, "sidecar_model_load_duration_seconds_count", "model=phi-3-mini", "outcome=success"));
        assertTrue(delta(before, after, "sidecar_model_load_duration_seconds_sum", "model=phi-3-mini") >= 0.3);
        assertEquals(1, delta(before, after, "sidecar_model_unloads_total", "model=phi-3-mini"));
    }
}
