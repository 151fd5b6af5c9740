package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.fleet.LMStudioFleet;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.resilience.BackendBreakers;
import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import dev.lmstudiosidecar.testsupport.PrometheusScrape;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hot path's retries and circuit breakers are SmallRye Fault Tolerance's: its configuration keys
 * tune them without a rebuild, its metrics count them, its maintenance resets them. (Its own profile:
 * the breaker it opens would fail other tests.)
 */
@QuarkusTest
@TestProfile(FaultToleranceGuardTest.OverriddenRetries.class)
@WithTestResource(EmulatorResource.class)
class FaultToleranceGuardTest extends EmulatedLmStudioTest {

    private static final String QWEN = "qwen2.5-7b-instruct";

    /** lmstudio.retry-attempts says 3; SmallRye's key for the LM Studio guard says 1, and wins. */
    public static class OverriddenRetries implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lmstudio.retry-attempts", "3",
                    "smallrye.faulttolerance.\"lmstudio\".retry.max-retries", "1",
                    "lmstudio.circuit-breaker.window", "4",
                    "lmstudio.circuit-breaker.minimum-calls", "4",
                    "lmstudio.circuit-breaker.open-duration", "60s");
        }
    }

    @Inject
    BackendBreakers breakers;

    @Inject
    LMStudioFleet fleet;

    @Inject
    CircuitBreakerMaintenance maintenance;

    @BeforeEach
    void onlyOneModelToFallBackTo() {
        serveOnly(QWEN, true); // no stand-in: every failure is the one model's
    }

    @AfterEach
    void closeTheBreaker() {
        maintenance.reset(Backend.LMSTUDIO);
    }

    @Test
    void smallRyesRetryKeyForTheGuardChangesTheRetryCountWithoutACodeChange() {
        emulator.failNext(10, 500);
        ChatRequests.post(QWEN, false).statusCode(502)
                .header("X-Sidecar-Attempts", "2"); // 1 + the key's 1 retry, not lmstudio.retry-attempts' 3
        assertEquals(2, emulator.requestCount("/v1/chat/completions"));
    }

    @Test
    void aRetriedRequestShowsInSmallRyesMetrics() {
        double retriesBefore = PrometheusScrape.now().sum("ft_retry_retries_total");
        emulator.failNext(1, 500);
        ChatRequests.post(QWEN, false).statusCode(200).header("X-Sidecar-Attempts", "2");
        PrometheusScrape after = PrometheusScrape.now();
        assertEquals(retriesBefore + 1, after.sum("ft_retry_retries_total"), after.toString());
        List<PrometheusScrape.Sample> retries = after.select("ft_retry_retries_total");
        assertTrue(retries.stream().anyMatch(sample -> "lmstudio".equals(sample.labels().get("method"))),
                "named after the guard: " + retries);
        assertTrue(after.sum("ft_invocations_total") > 0, "every guarded call is counted");
        String smallRyes = after.names().stream().filter(name -> name.startsWith("ft_")).toList().toString();
        assertFalse(after.select("ft_circuitbreaker_state_total_seconds").isEmpty(), "the breaker's time in each state: " + smallRyes);
        assertFalse(after.select("ft_circuitbreaker_calls_total").isEmpty(), "the calls its breaker let through or refused: " + smallRyes);
        assertFalse(after.select("ft_circuitbreaker_state_current").isEmpty(), "the breaker's state now: " + smallRyes);
    }

    @Test
    void aBreakerResetThroughSmallRyesMaintenanceClosesItAtOnce() {
        emulator.failNext(4, 500);
        ChatRequests.post(QWEN, false).statusCode(502);
        ChatRequests.post(QWEN, false).statusCode(502); // four failed calls of four: the breaker opens
        assertEquals(CircuitBreakerState.OPEN, maintenance.currentState(Backend.LMSTUDIO));
        ChatRequests.post(QWEN, false).statusCode(503).body("error.message", containsString("circuit breaker is open"));

        breakers.closeNow(fleet.first().orElseThrow().backend()); // what the health check does when LM Studio answers again
        assertEquals(CircuitBreakerState.CLOSED, maintenance.currentState(Backend.LMSTUDIO));
        given().when().get(ManagementUrls.of("metrics")).then().statusCode(200)
                .body(containsString("sidecar_circuit_breaker_state{backend=\"lmstudio\"} 0.0"));
        ChatRequests.post(QWEN, false).statusCode(200).header("X-Sidecar-Attempts", "1").body("model", equalTo(QWEN));
    }
}
