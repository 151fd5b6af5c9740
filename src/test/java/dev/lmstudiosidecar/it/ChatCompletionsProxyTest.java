package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.emulator.RecordedRequest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(EmulatorResource.class)
class ChatCompletionsProxyTest extends EmulatedLmStudioTest {

    private static final String CHAT = "/v1/chat/completions";


    @Test
    void aChatCompletionComesBackFromLmStudioWithTheSidecarHeaders() {
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"qwen2.5-7b-instruct\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}")
                .when().post(CHAT)
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .header("X-Sidecar-Model", "qwen2.5-7b-instruct")
                .header("X-Sidecar-Provider", "lmstudio")
                .header("X-Sidecar-Host", "lmstudio") // the one host of lmstudio.base-url
                .header("X-Request-Id", matchesPattern("[0-9a-f]{32}"))
                .body("object", equalTo("chat.completion"))
                .body("model", equalTo("qwen2.5-7b-instruct"))
                .body("choices[0].message.content", equalTo("tok0 tok1 tok2 tok3 tok4 "));
        assertEquals(1, emulator.requestCount(CHAT));
    }

    @Test
    void theCallersRequestIdIsEchoedAndSentUpstream() {
        given().contentType(ContentType.JSON).header("X-Request-Id", "trace-abc-123")
                .body("{\"model\":\"qwen2.5-7b-instruct\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}")
                .when().post(CHAT)
                .then().statusCode(200).header("X-Request-Id", "trace-abc-123");
        assertEquals("trace-abc-123", emulator.lastRequest(CHAT).header("X-Request-Id"));
    }

    @Test
    void unknownFieldsReachLmStudioByteForByte() {
        String body = "{\"model\":\"qwen2.5-7b-instruct\",\"messages\":[{\"role\":\"user\",\"content\":\"Use the tool\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}],"
                + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"s\",\"schema\":{}}},"
                + "\"stream_options\":{\"include_usage\":true},\"ttl\":300,  \"temperature\":0.70,\"draft_model\":\"x\"}";
        given().contentType(ContentType.JSON).body(body).when().post(CHAT).then().statusCode(200);
        assertEquals(body, emulator.lastRequest(CHAT).bodyAsString());
    }

    @Test
    void hintFieldsAreRemovedBeforeForwarding() {
        given().contentType(ContentType.JSON).header("X-Sidecar-Prefer-Provider", "lmstudio")
                .body("{\"model\":\"qwen2.5-7b-instruct\",\"task_type\":\"coding\",\"fallback_to_cloud\":false,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"top_p\":0.9}")
                .when().post(CHAT).then().statusCode(200);
        RecordedRequest forwarded = emulator.lastRequest(CHAT);
        assertEquals("{\"model\":\"qwen2.5-7b-instruct\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"top_p\":0.9}",
                forwarded.bodyAsString());
        assertEquals(null, forwarded.header("X-Sidecar-Prefer-Provider"));
    }

    @Test
    void aStreamedChatArrivesAsServerSentEventsEndingWithDone() {
        String sse = given().contentType(ContentType.JSON)
                .body("{\"model\":\"qwen2.5-7b-instruct\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .when().post(CHAT)
                .then().statusCode(200)
                .header("Content-Type", org.hamcrest.Matchers.startsWith("text/event-stream"))
                .header("X-Sidecar-Model", "qwen2.5-7b-instruct")
                .header("Content-Encoding", org.hamcrest.Matchers.nullValue())
                .extract().asString();
        long events = sse.lines().filter(line -> line.startsWith("data: ")).count();
        // role chunk + 5 tokens + finish chunk + [DONE]
        assertEquals(8, events, sse);
        assertFalse(sse.contains("error"), sse);
        org.junit.jupiter.api.Assertions.assertTrue(sse.strip().endsWith("data: [DONE]"), sse);
    }

    @Test
    void completionsEmbeddingsAndModelsAreServed() {
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"qwen2.5-7b-instruct\",\"prompt\":\"Once upon a time\"}")
                .when().post("/v1/completions")
                .then().statusCode(200).body("object", equalTo("text_completion")).body("choices[0].text", notNullValue());
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"text-embedding-nomic-embed-text-v1.5\",\"input\":[\"a\",\"b\"]}")
                .when().post("/v1/embeddings")
                .then().statusCode(200).body("data.size()", equalTo(2)).body("data[1].index", equalTo(1))
                .header("X-Sidecar-Model", "text-embedding-nomic-embed-text-v1.5");
        given().when().get("/v1/models")
                .then().statusCode(200).body("object", equalTo("list"))
                .body("data.id", org.hamcrest.Matchers.hasItem("qwen2.5-7b-instruct"));
    }

    @Test
    void otherV1RoutesPassThroughWithMethodQueryAndBody() {
        String body = "{\"model\":\"qwen2.5-7b-instruct\",\"input\":\"Hi\"}";
        given().contentType(ContentType.JSON).body(body)
                .when().post("/v1/responses?trace=1")
                // the emulator, like LM Studio 0.3, has no /v1/responses: its 200-with-error becomes a 404
                .then().statusCode(404).body("error.code", equalTo("unknown_endpoint"))
                .header("X-Request-Id", notNullValue());
        RecordedRequest forwarded = emulator.lastRequest("/v1/responses");
        assertEquals("POST", forwarded.method());
        assertEquals("/v1/responses?trace=1", forwarded.path());
        assertEquals(body, forwarded.bodyAsString());
    }
}
