package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.Eventually;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * LM Studio restarted: while nothing listens, the sidecar lists it every {@code down-interval}, not every
 * {@code health-check-interval}, so calls go through again within seconds of its return (found by a new user:
 * a one-second restart cost half a minute of 503s).
 */
@QuarkusTest
@TestProfile(DownRecheckTest.LongIntervalShortDownInterval.class)
@WithTestResource(EmulatorResource.class)
class DownRecheckTest extends EmulatedLmStudioTest {

    public static class LongIntervalShortDownInterval implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lmstudio.health-check-interval", "60s",
                    "lmstudio.health-check.down-interval", "300ms",
                    "lmstudio.circuit-breaker.open-duration", "60s");
        }
    }

    @Test
    void aRestartedLmStudioIsServedAgainWithinTheDownIntervalNotTheHealthCheckInterval() {
        emulator.refuseConnections(true);
        given().post("/admin/models/refresh"); // a listing now, as the 60 s check would make: it finds nothing listening
        Eventually.await("the breaker open", Duration.ofSeconds(5),
                () -> ChatRequests.post("qwen2.5-7b-instruct", false).extract().statusCode() == 503);
        ChatRequests.post("qwen2.5-7b-instruct", false).statusCode(503)
                .header("Retry-After", "1") // the next check, in 300 ms: not the 60 s interval or open duration
                .body("error.message", org.hamcrest.Matchers.containsString("every 300 ms now"));
        emulator.refuseConnections(false);
        long back = System.nanoTime();
        Eventually.await("a request goes through again", Duration.ofSeconds(5),
                () -> ChatRequests.post("qwen2.5-7b-instruct", false).extract().statusCode() == 200);
        long tookMillis = (System.nanoTime() - back) / 1_000_000;
        assertTrue(tookMillis < 3_000, "served again " + tookMillis + " ms after LM Studio came back");
    }
}
