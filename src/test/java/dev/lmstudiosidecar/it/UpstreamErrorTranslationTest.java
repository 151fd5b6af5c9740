package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.ErrorStyle;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.Shape;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

/** LM Studio's many error shapes reach the client as one: the OpenAI error object, right status. */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class UpstreamErrorTranslationTest extends EmulatedLmStudioTest {

    private static ValidatableResponse chat(String model, boolean stream) {
        return ChatRequests.post(model, stream).contentType(ContentType.JSON);
    }

    @Test
    void anUnknownModelIs404ModelNotFoundWhenLmStudioAnswersWithAnObject() {
        emulator.errorStyle(ErrorStyle.OBJECT);
        chat("no-such-model", false).statusCode(404)
                .body("error.code", equalTo("model_not_found"))
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo("model"))
                .body("error.message", containsString("'no-such-model'"));
    }

    @Test
    void anUnknownModelIs404ModelNotFoundWhenLmStudioAnswersWithAString() {
        emulator.errorStyle(ErrorStyle.STRING);
        chat("no-such-model", true).statusCode(404).body("error.code", equalTo("model_not_found"));
    }

    @Test
    void theUnexpectedEndpoint200BecomesA404() {
        given().when().get("/v1/no-such-route")
                .then().statusCode(404).contentType(ContentType.JSON)
                .body("error.code", equalTo("unknown_endpoint"))
                .body("error.message", equalTo("LM Studio does not serve GET /v1/no-such-route."));
    }

    @Test
    void anLmStudioServerErrorThatOutlastsTheRetriesIs502WithItsWords() {
        serveOnly("qwen2.5-7b-instruct", true);
        emulator.failNext(10, 500);
        chat("qwen2.5-7b-instruct", false).statusCode(502)
                .header("X-Sidecar-Attempts", "4")
                .header("x-should-retry", "false")
                .body("error.type", equalTo("server_error"))
                .body("error.code", equalTo("bad_upstream_response"))
                .body("error.message", containsString("failed (HTTP 500)"));
    }

    @Test
    void aModelNotLoadedWithJitOffIs503ModelUnavailableSayingWhatToDo() {
        emulator.shape(Shape.LMSTUDIO_0_3); // no load API: the sidecar cannot load it either
        serveOnly("phi-3-mini", false);
        emulator.jitLoading(false);
        chat("phi-3-mini", false).statusCode(503)
                .body("error.code", equalTo("model_unavailable"))
                .body("error.message", containsString("lms load phi-3-mini"));
    }

    @Test
    void aStreamThatBreaksMidwayEndsWithAnErrorEventAndNoDone() {
        emulator.tokensPerResponse(10);
        emulator.dropStreamAfter(3);
        String sse = given().contentType(ContentType.JSON)
                .body("{\"model\":\"qwen2.5-7b-instruct\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .when().post("/v1/chat/completions").then().statusCode(200).extract().asString();
        org.junit.jupiter.api.Assertions.assertTrue(sse.contains("\"code\":\"bad_upstream_response\""), sse);
        org.junit.jupiter.api.Assertions.assertFalse(sse.contains("[DONE]"), sse);
    }
}
