package dev.lmstudiosidecar.testsupport;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/** The chat request most tests send: one user message to a given model, plain or streamed. */
public final class ChatRequests {

    private ChatRequests() {
    }

    public static String body(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    }

    /** Posts it to the sidecar under test (RestAssured points at its random port). */
    public static ValidatableResponse post(String model, boolean stream) {
        return given().contentType(ContentType.JSON).body(body(model, stream)).when().post("/v1/chat/completions").then();
    }
}
