package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.Eventually;
import dev.lmstudiosidecar.testsupport.InjectEmulator;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import dev.lmstudiosidecar.testsupport.PrometheusScrape;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Before it counts as started, the sidecar sends itself its warm-up requests through its own API port
 * to LM Studio; they reach LM Studio as {@code warm-up}, and the sidecar's request metrics do not count them.
 */
@QuarkusTest
@TestProfile(StartupWarmUpTest.WarmUp.class)
@WithTestResource(EmulatorResource.class)
class StartupWarmUpTest {

    private static final int REQUESTS = 20;

    public static class WarmUp implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sidecar.startup.warm-up-requests", Integer.toString(REQUESTS));
        }
    }

    @InjectEmulator
    LmStudioEmulator emulator;

    private static JsonPath started() {
        return given().when().get(ManagementUrls.of("health/started")).then().extract().jsonPath();
    }

    @Test
    void theRequestPathIsWarmedThroughTheProxyBeforeTheSidecarCountsAsStarted() {
        Eventually.await("started", Duration.ofSeconds(15), () -> "UP".equals(started().getString("status")));

        String outcome = started().getString("checks.find { it.name == 'startup' }.data.warmUp");
        assertTrue(outcome.startsWith("done: " + REQUESTS + " requests and " + REQUESTS + " routing dry runs in "), outcome);
        long warmUps = emulator.requests().stream()
                .filter(request -> request.path().equals("/v1/models") && "warm-up".equals(request.headers().get("X-Request-Id")))
                .count();
        assertEquals(REQUESTS, warmUps, "each warm-up request went through the proxy to LM Studio");
        List<String> measured = PrometheusScrape.now().names().stream()
                .filter(name -> name.startsWith("gen_ai_") || name.startsWith("sidecar_requests_total"))
                .toList();
        assertEquals(List.of(), measured, "no inference was asked for: nothing counted as a request");
        assertEquals(0.0, PrometheusScrape.now().sum("sidecar_routing_decisions_total"), "the routing dry runs are no decisions");
    }
}
