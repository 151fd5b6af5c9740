package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.LlamaClose;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.Shape;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against a server that behaves like llama.cpp's llama-server: it advertises keep-alive but closes
 * the connection after each answer, so the sidecar's pool now and then hands out a connection the
 * server has already dropped. That is the pool's fault, not the server's.
 */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class LlamaCppServerTest extends EmulatedLmStudioTest {

    @BeforeEach
    void llamaServer() {
        emulator.shape(Shape.LLAMA_CPP);
        given().post("/admin/models/refresh").then().statusCode(200);
    }

    @Test
    void aPooledConnectionTheServerDroppedIsSentAgainAtOnceOnAFreshOne() {
        emulator.llamaClose(LlamaClose.ON_NEXT_REQUEST);
        for (int i = 0; i < 4; i++) {
            ChatRequests.post("qwen2.5-7b-instruct", true).statusCode(200)
                    .header("X-Sidecar-Attempts", "1")
                    .body(containsString("data: [DONE]"));
        }
        // The 2nd request meets the 1st one's connection, stale; the 3rd opens a new one, which the 4th meets stale.
        assertEquals(2, emulator.staleConnectionClosures(), "requests that met a stale pooled connection");
        assertBreakerClosed();
    }

    @Test
    void hundredStreamsFromTenConcurrentClientsAllSucceedAndTheBreakerStaysClosed() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(10);
        try {
            List<Future<Response>> streams = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                streams.add(clients.submit(() -> given().contentType("application/json")
                        .body(ChatRequests.body("qwen2.5-7b-instruct", true))
                        .post("/v1/chat/completions")));
            }
            Map<String, Integer> outcomes = new TreeMap<>();
            for (Future<Response> stream : streams) {
                Response response = stream.get();
                boolean whole = response.statusCode() == 200 && response.asString().contains("data: [DONE]");
                outcomes.merge(whole ? "200 whole" : response.statusCode() + " " + response.asString(), 1, Integer::sum);
            }
            assertEquals(Map.of("200 whole", 100), outcomes);
        } finally {
            clients.shutdownNow();
        }
        assertBreakerClosed();
    }

    @Test
    void aRequestWithoutAModelIsRoutedToAListedModelNeverSentWithoutOne() {
        // Sent on without a model, llama-server would answer it as "gpt-3.5-turbo": the sidecar routes it instead.
        for (String body : new String[] {"{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
                "{\"model\":null,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"}) {
            String model = given().contentType("application/json").body(body).post("/v1/chat/completions").then().statusCode(200)
                    .header("X-Sidecar-Task", containsString("general"))
                    .extract().header("X-Sidecar-Model");
            String sent = emulator.lastRequest("/v1/chat/completions").bodyAsString();
            assertTrue(sent.contains("\"model\":\"" + model + "\""), sent);
            given().get("/v1/models").then().body("data.id", hasItem(model));
        }
    }

    @Test
    void aRequestForAutoIsServedByTheModelTheServerHasEvenWhenNoneSuitsTheTask() {
        // llama-server lists the one model it runs, under its file name, and never says it is loaded: a coding
        // request finds no coding model, and the seed's fallback selection must still find this one.
        serveOnly("/models/tiny.gguf", true);
        given().contentType("application/json")
                .body("{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"Debug this function\"}]}")
                .post("/v1/chat/completions").then().statusCode(200)
                .header("X-Sidecar-Model", "/models/tiny.gguf")
                .header("X-Sidecar-Task", containsString("coding"))
                .header("X-Sidecar-Route-Reason", containsString("loaded general model"));
    }

    @Test
    void anUpstreamErrorKeepsNoCodeRatherThanItsStatusAsAString() {
        emulator.failNext(1, 400);
        ChatRequests.post("qwen2.5-7b-instruct", false).statusCode(400)
                .body("error.message", equalTo("Emulated failure (HTTP 400)"))
                .body("error.code", nullValue());
    }

    @Test
    void aRouteTheServerLacksIsAnUnknownEndpoint() {
        given().contentType("application/json").body("{\"model\":\"qwen2.5-7b-instruct\",\"input\":\"Hi\"}")
                .post("/v1/responses").then().statusCode(404)
                .body("error.code", equalTo("unknown_endpoint"))
                .body("error.message", equalTo("LM Studio does not serve POST /v1/responses."));
    }

    private void assertBreakerClosed() {
        given().when().get(ManagementUrls.of("metrics")).then().statusCode(200)
                .body(containsString("sidecar_circuit_breaker_state{backend=\"lmstudio\"} 0.0"));
    }
}
