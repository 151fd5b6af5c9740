package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** After repeated failures LM Studio's breaker opens: requests fail fast without reaching it. */
@QuarkusTest
@TestProfile(CircuitBreakerTest.SmallWindow.class)
@WithTestResource(EmulatorResource.class)
class CircuitBreakerTest extends EmulatedLmStudioTest {

    public static class SmallWindow implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lmstudio.retry-attempts", "0",
                    "lmstudio.timeout", "5s",
                    "lmstudio.circuit-breaker.window", "4",
                    "lmstudio.circuit-breaker.minimum-calls", "2",
                    "lmstudio.circuit-breaker.failure-ratio", "0.5",
                    "lmstudio.circuit-breaker.open-duration", "60s");
        }
    }

    @Test
    void anOpenCircuitFailsFastWithoutCallingLmStudio() {
        serveOnly("qwen2.5-7b-instruct", true);
        emulator.failNext(2, 500);
        for (int i = 0; i < 2; i++) {
            chat().statusCode(502);
        }
        int callsWhenOpen = emulator.requestCount("/v1/chat/completions");
        emulator.hangNext(5); // were a request let through, it would wait the full 5 s timeout
        long started = System.nanoTime();
        // LM Studio is up again: the error says what the breaker knows, not that LM Studio is unreachable.
        chat().statusCode(503)
                .header("Retry-After", notNullValue())
                .header("x-should-retry", "false") // the sidecar failed fast on purpose: an SDK retry would only wait
                .header("X-Sidecar-Model", nullValue()) // no model answered
                .body("error.code", equalTo("model_unavailable"))
                .body("error.message", containsString("circuit breaker is open: every call has failed for "))
                .body("error.message", containsString("(the last: Emulated failure (HTTP 500); Emulated failure (HTTP 500))"))
                .body("error.message", containsString("a call goes through again in "))
                .body("error.message", not(containsString("not reachable")))
                .body("error.message", not(containsString("lms server start")));
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMillis < 2000, "an open circuit answers at once, not after the timeout: " + tookMillis + " ms");
        assertEquals(callsWhenOpen, emulator.requestCount("/v1/chat/completions"), "an open circuit sends nothing upstream");
        given().when().get(ManagementUrls.of("metrics")).then().statusCode(200)
                .body(containsString("sidecar_circuit_breaker_state{backend=\"lmstudio\"} 1.0"));

        // Nor does it wait for a model load first: the attempt after it would fail fast anyway.
        emulator.addModel("phi-3-mini", "llm", 2_390_000_000L, "3.8B", "Q4_K_M", 4096, false);
        given().post("/admin/models/refresh").then().statusCode(200);
        // That listing answered as the one before it did: no proof of a return, so the breaker stays open.
        given().when().get(ManagementUrls.of("metrics")).then().statusCode(200)
                .body(containsString("sidecar_circuit_breaker_state{backend=\"lmstudio\"} 1.0"));
        emulator.loadDelay(Duration.ofSeconds(5));
        long loadStarted = System.nanoTime();
        ChatRequests.post("phi-3-mini", false).statusCode(503).body("error.message", containsString("circuit breaker is open"));
        long loadTookMillis = (System.nanoTime() - loadStarted) / 1_000_000;
        assertTrue(loadTookMillis < 2000, "no wait for a load behind an open circuit: " + loadTookMillis + " ms");
        assertEquals(0, emulator.loadCount("phi-3-mini"));
    }

    private io.restassured.response.ValidatableResponse chat() {
        return ChatRequests.post("qwen2.5-7b-instruct", false);
    }
}
