package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad input gets a clear OpenAI error and never reaches LM Studio. */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class RequestValidationTest extends EmulatedLmStudioTest {

    @AfterEach
    void nothingReachedLmStudio() {
        for (String path : new String[] {"/v1/chat/completions", "/v1/completions", "/v1/embeddings"}) {
            assertEquals(0, emulator.requestCount(path), "a refused request must not be sent upstream: " + path);
        }
    }

    private ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).when().post(path).then()
                .contentType(ContentType.JSON)
                .header("X-Request-Id", notNullValue())
                .header("X-Sidecar-Attempts", "0")
                .body("error.type", equalTo("invalid_request_error"));
    }

    @Test
    void malformedJsonIs400InvalidJson() {
        post("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[")
                .statusCode(400).body("error.code", equalTo("invalid_json"))
                .body("error.message", containsString("We could not parse the JSON body"))
                .body("error.param", equalTo(null));
    }

    @Test
    void missingMessagesIs400NamingTheField() {
        post("/v1/chat/completions", "{\"model\":\"qwen2.5-7b-instruct\"}")
                .statusCode(400).body("error.param", equalTo("messages"))
                .body("error.message", containsString("'messages' is required"));
    }

    @Test
    void emptyMessagesPromptAndInputAre400() {
        post("/v1/chat/completions", "{\"messages\":[]}").statusCode(400).body("error.param", equalTo("messages"));
        post("/v1/completions", "{\"prompt\":\"\"}").statusCode(400).body("error.param", equalTo("prompt"));
        post("/v1/embeddings", "{\"input\":[]}").statusCode(400).body("error.param", equalTo("input"));
        post("/v1/embeddings", "{\"model\":\"e\"}").statusCode(400).body("error.param", equalTo("input"));
    }

    @Test
    void wrongTypesAre400SayingWhatWasSent() {
        post("/v1/chat/completions", "{\"messages\":{\"role\":\"user\"}}")
                .statusCode(400).body("error.message", equalTo("'messages' must be an array of messages, not an object."));
        post("/v1/chat/completions", "{\"stream\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .statusCode(400).body("error.param", equalTo("stream"));
        post("/v1/chat/completions", "{\"messages\":[\"just text\"]}")
                .statusCode(400).body("error.param", equalTo("messages[0]"));
    }

    @Test
    void aBodyOverTheLimitIs413() {
        char[] filler = new char[8 * 1024 * 1024 + 1];
        Arrays.fill(filler, 'a');
        String huge = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + new String(filler) + "\"}]}";
        post("/v1/chat/completions", huge)
                .statusCode(413).body("error.code", equalTo("request_too_large"))
                .body("error.message", containsString("sidecar.max-request-body"));
    }

    @Test
    void anUnknownHintIs400() {
        given().contentType(ContentType.JSON).header("X-Sidecar-Task-Type", "poetry")
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .when().post("/v1/chat/completions")
                .then().statusCode(400).body("error.param", equalTo("X-Sidecar-Task-Type"));
    }
}
