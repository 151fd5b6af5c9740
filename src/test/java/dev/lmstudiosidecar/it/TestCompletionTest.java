package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.Eventually;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** lmstudio.health-check.test-completion: a one-token completion after the listings, whose failure makes LM Studio unhealthy. */
@QuarkusTest
@TestProfile(TestCompletionTest.TestOnQwen.class)
@WithTestResource(EmulatorResource.class)
class TestCompletionTest extends EmulatedLmStudioTest {

    private static final String QWEN = "qwen2.5-7b-instruct";

    public static class TestOnQwen implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lmstudio.health-check-interval", "300ms",
                    "lmstudio.health-check.test-completion", "true",
                    "lmstudio.health-check.test-model", QWEN);
        }
    }

    private static JsonPath lmstudio() {
        return given().when().get("/admin/health").then().statusCode(200).extract().jsonPath().setRootPath("backends.lmstudio");
    }

    private static boolean readiness(String status) {
        return status.equals(given().when().get(ManagementUrls.of("health/ready")).then()
                .extract().path("status"));
    }

    @Test
    void aPassingTestCompletionShowsAndAFailingOneMakesLmStudioUnhealthyAndThePodNotReady() {
        Eventually.await("a test completion passed", Duration.ofSeconds(5), () -> Boolean.TRUE.equals(lmstudio().get("testCompletion")));
        assertEquals("healthy", lmstudio().getString("status"));
        JsonNode test = emulator.lastRequest("/v1/chat/completions").bodyJson();
        assertEquals(QWEN, test.path("model").asText());
        assertEquals(1, test.path("max_tokens").asInt(), "one token: a check, not a job");

        emulator.failNext(1_000, 500);
        Eventually.await("a test completion failed", Duration.ofSeconds(5), () -> Boolean.FALSE.equals(lmstudio().get("testCompletion")));
        JsonPath failed = lmstudio();
        assertEquals("unhealthy", failed.getString("status"));
        String error = failed.getString("errors[0]");
        assertTrue(error.startsWith("the test completion failed: POST /v1/chat/completions on " + QWEN + ": HTTP 500"), error);
        Eventually.await("readiness DOWN", Duration.ofSeconds(5), () -> readiness("DOWN"));

        emulator.reset(); // generates again
        Eventually.await("healthy again", Duration.ofSeconds(5), () -> "healthy".equals(lmstudio().getString("status")));
        Eventually.await("readiness UP", Duration.ofSeconds(5), () -> readiness("UP"));
    }

    @Test
    void noTestCompletionRunsOnATestModelThatIsNotLoaded() throws InterruptedException {
        emulator.jitLoading(false); // a completion on the evicted model is refused, not loaded: nothing else loads it
        emulator.evict(QWEN);
        Eventually.await("no test completion", Duration.ofSeconds(5), () -> lmstudio().getList("errors").contains(
                "no test completion: the test model " + QWEN + " is not loaded (lmstudio.health-check.test-model)"));
        assertEquals("degraded", lmstudio().getString("status"));
        int completions = emulator.requestCount("/v1/chat/completions");
        Thread.sleep(1_000); // three intervals
        assertEquals(completions, emulator.requestCount("/v1/chat/completions"), "a test completion would have had LM Studio load the model");
    }
}
