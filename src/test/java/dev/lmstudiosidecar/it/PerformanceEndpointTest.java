package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.Eventually;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** GET /admin/performance: the seed's PerformanceMetrics per model over the last window. */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class PerformanceEndpointTest extends EmulatedLmStudioTest {

    /** A model of its own, so that what other tests sent it in the same window does not count. */
    private static final String MODEL = "perf-model-7b";

    @Test
    void requestsErrorsLatencyFirstTokenAndSpeedPerModel() {
        emulator.addModel(MODEL, "llm", 4_000_000_000L, "7B", "Q4_K_M", 8192, true);
        when().post("/admin/models/refresh").then().statusCode(200);
        emulator.tokensPerResponse(6);
        emulator.tokenDelay(Duration.ofMillis(5));
        for (int i = 0; i < 3; i++) {
            ChatRequests.post(MODEL, false).statusCode(200);
        }
        ChatRequests.post(MODEL, true).statusCode(200);
        emulator.dropStreamAfter(2); // cut after its start: the model's failure, with no retry or fallback to hide it
        ChatRequests.post(MODEL, true).statusCode(200);
        // The sidecar counts a request when its answer has been written out, which may come just after the
        // client read its end (the cut stream's above): the count, not a sleep, says when all five are in.
        String requests = "models.find { it.model == '" + MODEL + "' }.requests";
        Eventually.await("all five requests counted", Duration.ofSeconds(5), () -> Integer.valueOf(5).equals(
                given().get("/admin/performance").then().statusCode(200).extract().jsonPath().get(requests)));

        JsonPath answer = given().header("X-Request-Id", "perf-1").get("/admin/performance").then().statusCode(200)
                .header("X-Request-Id", "perf-1")
                .body("window", equalTo("PT5M"))
                .body("collecting", equalTo(true))
                .extract().jsonPath();
        String at = "models.find { it.model == '" + MODEL + "' }.";
        assertThat(answer.getString(at + "provider"), equalTo("lmstudio"));
        assertThat(answer.getInt(at + "requests"), equalTo(5));
        assertThat(answer.getInt(at + "errors"), equalTo(1));
        assertThat(answer.getDouble(at + "errorRate"), equalTo(0.2));
        assertThat(answer.getDouble(at + "latencyMs.p50"), greaterThan(20.0)); // 6 tokens, 5 ms each
        assertThat(answer.getDouble(at + "latencyMs.p95"), greaterThan(20.0));
        assertThat(answer.get(at + "timeToFirstTokenMs.p50"), notNullValue());
        assertThat(answer.getDouble(at + "outputTokensPerSecond"), greaterThan(0.0));
        assertThat(answer.getInt(at + "inputTokens"), equalTo(4)); // "Hi": one word, four answers
        assertThat(answer.getInt(at + "outputTokens"), equalTo(24));
        assertThat(answer.get(at + "cacheHitRatio"), nullValue());
    }

    @Test
    void itIsReadOnly() {
        when().post("/admin/performance").then().statusCode(405).header("Allow", "GET")
                .header("X-Request-Id", notNullValue())
                .body("error.code", equalTo("method_not_allowed"));
    }
}
