package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.PrometheusScrape;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code lmstudio.collect-metrics=false}: no request is measured, and streams go upstream as the client sent them. */
@QuarkusTest
@TestProfile(MetricsOffTest.Off.class)
@WithTestResource(EmulatorResource.class)
class MetricsOffTest extends EmulatedLmStudioTest {

    public static class Off implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lmstudio.collect-metrics", "false");
        }
    }

    @Test
    void noRequestIsMeasuredAndStreamsAreForwardedAsSent() {
        String stream = ChatRequests.body("qwen2.5-7b-instruct", true);
        String sse = given().contentType(ContentType.JSON).body(stream).post("/v1/chat/completions").then().statusCode(200)
                .extract().asString();
        assertTrue(sse.strip().endsWith("data: [DONE]"), sse);
        assertEquals(stream, emulator.lastRequest("/v1/chat/completions").bodyAsString(), "no stream_options added");
        emulator.failNext(1, 500);
        ChatRequests.post("qwen2.5-7b-instruct", false).statusCode(200).header("X-Sidecar-Attempts", "2");
        ChatRequests.post("deepseek-coder-34b", false).statusCode(200);
        ChatRequests.post("no-such-model", false).statusCode(404);
        given().contentType(ContentType.JSON).body("{\"model\":\"text-embedding-nomic-embed-text-v1.5\",\"input\":\"a\"}")
                .post("/v1/embeddings").then().statusCode(200);

        PrometheusScrape scrape = PrometheusScrape.now();
        List<String> measured = scrape.names().stream()
                .filter(name -> name.startsWith("gen_ai_") || name.startsWith("sidecar_requests_total")
                        || name.startsWith("sidecar_retries") || name.startsWith("sidecar_fallbacks"))
                .toList();
        assertEquals(List.of(), measured);
        assertTrue(scrape.names().contains("sidecar_requests_in_flight"), "the gauges are no per-request metrics");
        assertTrue(scrape.names().contains("sidecar_circuit_breaker_state"));
        when().get("/admin/performance").then().statusCode(200)
                .body("collecting", equalTo(false))
                .body("models", empty());
    }
}
