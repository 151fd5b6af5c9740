package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * /q/health/ready follows LM Studio and its required model within one health-check interval;
 * /q/health/live never does.
 */
@QuarkusTest
@TestProfile(ReadinessProbeTest.QwenRequired.class)
@WithTestResource(EmulatorResource.class)
class ReadinessProbeTest extends EmulatedLmStudioTest {

    static final long INTERVAL_MILLIS = 300;
    private static final String QWEN = "qwen2.5-7b-instruct";

    public static class QwenRequired implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lmstudio.health-check-interval", INTERVAL_MILLIS + "ms",
                    "sidecar.readiness.required-models", QWEN);
        }
    }

    @AfterEach
    void listenAgain() {
        emulator.refuseConnections(false);
    }

    /** The readiness answer: 200 UP or 503 DOWN, with its check's data. */
    static JsonPath readiness() {
        return given().when().get(ManagementUrls.of("health/ready")).then().extract().jsonPath();
    }

    /** A field of the data of the check "backends" (keys may hold dots). */
    static String data(JsonPath readiness, String key) {
        return readiness.getString("checks.find { it.name == 'backends' }.data.'" + key + "'");
    }

    static boolean ready() {
        return "UP".equals(readiness().getString("status"));
    }

    static String liveness() {
        return given().when().get(ManagementUrls.of("health/live")).then().statusCode(200).extract().path("status");
    }

    /** How long until readiness turns {@code up}, failing after 5 s. */
    static long millisUntilReady(boolean up) {
        long started = System.nanoTime();
        Eventually.await("readiness " + (up ? "UP" : "DOWN"), Duration.ofSeconds(5), () -> ready() == up);
        return (System.nanoTime() - started) / 1_000_000;
    }

    @Test
    void readinessGoesDownWithinOneIntervalWhenLmStudioStopsAndUpAgainWhenItIsBack() {
        millisUntilReady(true); // the reset before this test may need a listing to show
        assertEquals("loaded", data(readiness(), "lmstudio.model." + QWEN));
        emulator.refuseConnections(true);
        long downAfter = millisUntilReady(false);
        // One interval, the failed listing and the probe's own round trip; far from "never".
        assertTrue(downAfter < INTERVAL_MILLIS + 1_200, "DOWN after " + downAfter + " ms");
        JsonPath down = readiness();
        assertTrue(data(down, "reason").startsWith("LM Studio does not answer: nothing listens at " + emulator.baseUrl()),
                data(down, "reason"));
        assertEquals("UP", liveness(), "a stopped LM Studio never gets the sidecar restarted");
        emulator.refuseConnections(false);
        long upAfter = millisUntilReady(true);
        assertTrue(upAfter < INTERVAL_MILLIS + 1_200, "UP after " + upAfter + " ms");
        assertEquals("UP", liveness());
    }

    @Test
    void readinessGoesDownWithinOneIntervalWhenTheRequiredModelIsEvictedAndUpWhenItIsLoaded() {
        millisUntilReady(true);
        emulator.evict(QWEN);
        long downAfter = millisUntilReady(false);
        assertTrue(downAfter < INTERVAL_MILLIS + 1_200, "DOWN after " + downAfter + " ms");
        JsonPath down = readiness();
        assertEquals("not loaded", data(down, "lmstudio.model." + QWEN));
        assertEquals("LM Studio lacks what is required (sidecar.readiness.required-models): " + QWEN + " not loaded",
                data(down, "reason"));
        assertEquals("UP", liveness());
        given().post("/admin/models/" + QWEN + "/load").then().statusCode(200);
        long upAfter = millisUntilReady(true);
        assertTrue(upAfter < INTERVAL_MILLIS + 1_200, "UP after " + upAfter + " ms");
    }

    @Test
    void theMetricsShowEachCheckTheBackendsStatusAndTheReadinessVerdict() {
        millisUntilReady(true);
        Eventually.await("metrics of a healthy LM Studio", Duration.ofSeconds(5), () -> {
            String metrics = scrape();
            return metrics.contains("sidecar_ready 1.0") && metrics.contains("sidecar_health_status{backend=\"lmstudio\"} 1.0")
                    && checks(metrics, "success") > 0;
        });
        emulator.refuseConnections(true);
        millisUntilReady(false);
        Eventually.await("metrics of a stopped LM Studio", Duration.ofSeconds(5), () -> {
            String metrics = scrape();
            return metrics.contains("sidecar_ready 0.0") && metrics.contains("sidecar_health_status{backend=\"lmstudio\"} 3.0")
                    && checks(metrics, "failure") > 0;
        });
    }

    private static String scrape() {
        return given().when().get(ManagementUrls.of("metrics")).then().statusCode(200).extract().asString();
    }

    /** How many checks of LM Studio ended with {@code outcome}, by the histogram's count. */
    private static double checks(String metrics, String outcome) {
        String prefix = "sidecar_health_check_duration_seconds_count{backend=\"lmstudio\",outcome=\"" + outcome + "\"} ";
        return metrics.lines().filter(line -> line.startsWith(prefix))
                .mapToDouble(line -> Double.parseDouble(line.substring(prefix.length()))).sum();
    }
}
