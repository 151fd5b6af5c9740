package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.when;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.Shape;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

/** Retries before the first byte, never after it; then the local models of the fallback chain. */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class RetryAndFallbackTest extends EmulatedLmStudioTest {

    private static final String CHAT = "/v1/chat/completions";


    private static ValidatableResponse chat(String model, boolean stream) {
        return ChatRequests.post(model, stream);
    }

    @Test
    void twoServerErrorsThenExactlyOneUpstreamSuccess() {
        emulator.failNext(2, 500);
        chat("qwen2.5-7b-instruct", false).statusCode(200)
                .header("X-Sidecar-Attempts", "3")
                .header("X-Sidecar-Fallback", nullValue())
                .body("choices[0].message.content", equalTo("tok0 tok1 tok2 tok3 tok4 "));
        assertEquals(3, emulator.requestCount(CHAT));
        assertEquals(1, emulator.completedGenerations());
    }

    @Test
    void a429IsRetried() {
        emulator.failNext(1, 429);
        chat("qwen2.5-7b-instruct", false).statusCode(200).header("X-Sidecar-Attempts", "2");
    }

    @Test
    void aClientErrorIsNeverRetried() {
        emulator.failNext(1, 400);
        chat("qwen2.5-7b-instruct", false).statusCode(400).header("X-Sidecar-Attempts", "1")
                .header("x-should-retry", nullValue());
        assertEquals(1, emulator.requestCount(CHAT));
    }

    @Test
    void nothingIsRetriedOnceTheFirstByteReachedTheClient() {
        emulator.tokensPerResponse(10);
        emulator.dropStreamAfter(2);
        String sse = chat("qwen2.5-7b-instruct", true).statusCode(200).extract().asString();
        assertTrue(sse.contains("bad_upstream_response"), sse);
        assertFalse(sse.contains("[DONE]"), sse);
        assertEquals(1, emulator.requestCount(CHAT));
    }

    @Test
    void aStreamThatFailsBeforeItsFirstByteIsRetried() {
        emulator.failNext(1, 503);
        String sse = chat("qwen2.5-7b-instruct", true).statusCode(200).header("X-Sidecar-Attempts", "2").extract().asString();
        assertTrue(sse.strip().endsWith("data: [DONE]"), sse);
    }

    @Test
    void aStreamThatDropsBeforeItsFirstChunkIsRetried() {
        emulator.dropStreamAfter(0); // the head arrives, then the connection breaks: nothing reached the client
        String sse = chat("qwen2.5-7b-instruct", true).statusCode(200).header("X-Sidecar-Attempts", "2").extract().asString();
        assertTrue(sse.strip().endsWith("data: [DONE]"), sse);
        assertFalse(sse.contains("error"), sse);
        assertEquals(2, emulator.requestCount(CHAT));
    }

    @Test
    void aCatalogModelMissingOnLmStudioFallsBackToTheNearestAlternativeItHas() {
        // deepseek-coder-34b (coding, analysis, research) is in the built-in catalog but not on this
        // LM Studio. Of the models it has, qwen2.5-7b-instruct (7B, inferred: general, analysis,
        // creative) and phi-3-mini (3.8B: general, coding, analysis) share a task with it; the 7B
        // model is the nearer in size. llama-3-70b is nearer still, but LM Studio does not have it.
        chat("deepseek-coder-34b", false).statusCode(200)
                .header("X-Sidecar-Fallback", "qwen2.5-7b-instruct")
                .header("X-Sidecar-Model", "qwen2.5-7b-instruct")
                .header("X-Sidecar-Attempts", "2")
                .body("model", equalTo("qwen2.5-7b-instruct"));
        assertTrue(emulator.lastRequest(CHAT).bodyAsString().contains("\"model\":\"qwen2.5-7b-instruct\""));
        assertFalse(emulator.requests().stream().anyMatch(r -> r.bodyAsString().contains("llama-3-70b")));
    }

    @Test
    void aChainWithNoAnswerIs503NamingEveryModelTried() {
        // An LM Studio 0.3 (no load API) with JIT off: nothing that is not loaded can answer.
        emulator.shape(Shape.LMSTUDIO_0_3);
        emulator.jitLoading(false);
        emulator.evict("qwen2.5-7b-instruct");
        when().post("/admin/models/refresh").then().statusCode(200);
        chat("phi-3-mini", false).statusCode(503).contentType(ContentType.JSON)
                .header("x-should-retry", "false")
                .header("X-Sidecar-Fallback", nullValue()) // nobody took over
                .header("X-Sidecar-Model", nullValue()) // no model answered
                .body("error.code", equalTo("model_unavailable"))
                .body("error.message", containsString("phi-3-mini ("))
                .body("error.message", containsString("qwen2.5-7b-instruct ("))
                .body("error.message", containsString("lms load phi-3-mini"));
    }

    @Test
    void aModelOutsideTheCatalogKeepsItsOwn404() {
        chat("no-such-model", false).statusCode(404).body("error.code", equalTo("model_not_found"))
                .header("X-Sidecar-Attempts", "1");
    }
}
