package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.RawHttpConnection;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URL;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each input limit (README, "Input limits") at work on the running sidecar: past it, a 4xx that names the limit;
 * within it, the request goes through. The limits at their defaults.
 */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class InputLimitsTest extends EmulatedLmStudioTest {

    private static final String MODEL = "qwen2.5-7b-instruct";

    @TestHTTPResource("/")
    URL sidecar;

    private static String chatWith(String extraField) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]," + extraField + "}";
    }

    private static String nested(int depth) {
        // the body's own object and the field's value: depth levels in all
        return "[".repeat(depth - 1) + "]".repeat(depth - 1);
    }

    @Test
    void jsonNestedDeeperThanMaxJsonDepthIs400NamingTheKey() {
        given().contentType(ContentType.JSON).body(chatWith("\"x\":" + nested(65))).when().post("/v1/chat/completions")
                .then().statusCode(400)
                .body("error.code", equalTo("json_too_deep"))
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.message", containsString("sidecar.max-json-depth"))
                .body("error.message", containsString("64"));
        assertEquals(0, emulator.requestCount("/v1/chat/completions"), "refused before LM Studio");
    }

    @Test
    void jsonNestedToMaxJsonDepthGoesThrough() {
        given().contentType(ContentType.JSON).body(chatWith("\"x\":" + nested(64))).when().post("/v1/chat/completions")
                .then().statusCode(200);
    }

    @Test
    void aHundredThousandOpenBracketsAre400NotAStackOverflow() {
        given().contentType(ContentType.JSON).body("{\"x\":" + "[".repeat(100_000)).when().post("/v1/chat/completions")
                .then().statusCode(400).body("error.code", equalTo("json_too_deep"));
        given().contentType(ContentType.JSON).body("{\"x\":" + "[".repeat(100_000)).when().post("/admin/route")
                .then().statusCode(400).body("error.code", equalTo("json_too_deep"));
    }

    @Test
    void aLongPromptWithinTheBodyLimitIsNeverRefusedForItsLength() {
        String prompt = "a".repeat(3 * 1024 * 1024);
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"" + MODEL + "\",\"task_type\":\"general\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}")
                .when().post("/v1/chat/completions").then().statusCode(200);
    }

    @Test
    void aNumberOfMoreThanAThousandDigitsIs400NamingTheLimit() {
        given().contentType(ContentType.JSON).body(chatWith("\"seed\":" + "7".repeat(1001))).when().post("/v1/chat/completions")
                .then().statusCode(400)
                .body("error.code", equalTo("json_value_too_long"))
                .body("error.message", containsString("1000"));
    }

    @Test
    void aBodyOverMaxRequestBodyIs413NamingTheKey() throws Exception {
        String body = chatWith("\"pad\":\"" + "p".repeat(8 * 1024 * 1024) + "\"");
        given().contentType(ContentType.JSON).body(body).when().post("/v1/chat/completions")
                .then().statusCode(413)
                .body("error.code", equalTo("request_too_large"))
                .body("error.message", containsString("sidecar.max-request-body"));
    }

    @Test
    void headersOverQuarkusMaxHeaderSizeAre431() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(sidecar)) {
            RawHttpConnection.Answer answer = connection.send("POST", "/v1/chat/completions",
                    Map.of("X-Padding", "h".repeat(21 * 1024), "Content-Type", "application/json"), ChatRequests.body(MODEL, false));
            assertEquals(431, answer.status(), answer.body());
        }
        assertEquals(0, emulator.requestCount("/v1/chat/completions"));
    }

    @Test
    void aRequestLineOverQuarkusMaxInitialLineLengthIs414() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(sidecar)) {
            RawHttpConnection.Answer answer = connection.send("GET", "/v1/models/" + "m".repeat(5000), Map.of(), null);
            assertEquals(414, answer.status(), answer.body());
        }
    }

    @Test
    void aCarriageReturnOrLineFeedInAHeaderValueInjectsNothing() throws Exception {
        for (String injected : new String[] {"abc\rSet-Cookie: stolen=1", "abc\nSet-Cookie: stolen=1", "abc\r\n\r\nHTTP/1.1 200 OK"}) {
            try (RawHttpConnection connection = RawHttpConnection.open(sidecar)) {
                Map<String, String> headers = new LinkedHashMap<>();
                headers.put("X-Request-Id", injected);
                headers.put("Content-Type", "application/json");
                RawHttpConnection.Answer answer = connection.send("POST", "/v1/chat/completions", headers, ChatRequests.body(MODEL, false));
                assertNull(answer.header("Set-Cookie"), "no header of the client's making in the answer");
                String requestId = answer.header("X-Request-Id");
                assertTrue(requestId == null || !requestId.contains("Set-Cookie") && !requestId.contains("HTTP/1.1"),
                        "the request id echoed is a clean token: " + requestId);
                assertTrue(answer.status() == 200 || answer.status() == 400, "a bare CR or LF is refused, or the line is split: " + answer);
            }
        }
        ChatRequests.post(MODEL, false).statusCode(200);
    }
}
