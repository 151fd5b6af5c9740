package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.Eventually;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * LM Studio's circuit breaker follows the health checks: a check that finds nothing listening opens
 * it at once, one that finds LM Studio answering closes it at once. Retries here are slow (1 s,
 * 2 s, 4 s) and the breaker's own open duration long (60 s), as in production: only the checks
 * (every 300 ms) can make these tests fast.
 */
@QuarkusTest
@TestProfile(BreakerFollowsChecksTest.SlowRetriesLongOpenDuration.class)
@WithTestResource(EmulatorResource.class)
class BreakerFollowsChecksTest extends EmulatedLmStudioTest {

    private static final long INTERVAL_MILLIS = 300;
    private static final String QWEN = "qwen2.5-7b-instruct";

    public static class SlowRetriesLongOpenDuration implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lmstudio.health-check-interval", INTERVAL_MILLIS + "ms",
                    "lmstudio.retry-attempts", "3",
                    "lmstudio.retry-delay", "1s",
                    "lmstudio.retry-max-delay", "4s",
                    "lmstudio.circuit-breaker.open-duration", "60s");
        }
    }

    @AfterEach
    void closeTheBreaker() {
        emulator.refuseConnections(false);
        // The next check closes the breaker.
        Eventually.await("a request goes through again", Duration.ofSeconds(5),
                () -> ChatRequests.post(QWEN, false).extract().statusCode() == 200);
    }

    private void awaitCheckFindingNothingListening() {
        Eventually.await("a check that found nothing listening", Duration.ofSeconds(5), () -> "unhealthy".equals(
                given().get("/admin/health").then().extract().path("backends.lmstudio.status")));
    }

    @Test
    void withNothingListeningARequestGetsItsServiceUnavailableInMillisecondsOnceACheckRan() {
        emulator.refuseConnections(true);
        awaitCheckFindingNothingListening();
        long started = System.nanoTime();
        ChatRequests.post(QWEN, false).statusCode(503)
                .header("X-Sidecar-Attempts", "0") // nothing was sent: no connection refused to wait for, no retry
                .header("x-should-retry", "false")
                .header("Retry-After", "1") // the next check (300 ms), not the 60 s open duration, may let calls through
                .body("error.code", equalTo("model_unavailable"))
                .body("error.message", containsString("circuit breaker is open"))
                .body("error.message", containsString("lms server start"));
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        // Without the check's verdict: four refused connections 1 s, 2 s and 4 s apart, so 5.6 s at the least.
        assertTrue(tookMillis < 1_000, "the 503 took " + tookMillis + " ms");
    }

    @Test
    void aRequestInItsRetriesWhenACheckFindsNothingListeningRetriesNoMore() {
        // Right after a check (and after the start-up warm-up's own requests): the request's first attempt, not the
        // next check, is then the first to meet the refusal.
        given().get(ManagementUrls.of("health/started")).then().statusCode(200);
        int listings = emulator.requestCount("/api/v1/models");
        Eventually.await("a fresh check", Duration.ofSeconds(2), () -> emulator.requestCount("/api/v1/models") > listings);
        emulator.refuseConnections(true);
        long started = System.nanoTime();
        // Its first attempt is refused at once; the check (300 ms) finds nothing listening before its
        // retry (1 s), which then goes out no more.
        ChatRequests.post(QWEN, false).statusCode(503)
                .header("X-Sidecar-Attempts", "1")
                .header("x-should-retry", "false")
                .body("error.message", containsString("is not reachable")) // what really failed, not the breaker
                .body("error.message", containsString("lms server start"));
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        // Had the retries gone on: 1 s, 2 s and 4 s apart, so 5.6 s at the least.
        assertTrue(tookMillis < 3_000, "the 503 took " + tookMillis + " ms");
    }

    @Test
    void afterAnOutageThatOpenedTheBreakerARequestSucceedsWithinOneIntervalOfLmStudiosReturn() {
        emulator.refuseConnections(true);
        awaitCheckFindingNothingListening();
        ChatRequests.post(QWEN, false).statusCode(503).body("error.message", containsString("circuit breaker is open"));
        emulator.refuseConnections(false);
        long back = System.nanoTime();
        Eventually.await("a request goes through", Duration.ofSeconds(10), () -> ChatRequests.post(QWEN, false).extract().statusCode() == 200);
        long tookMillis = (System.nanoTime() - back) / 1_000_000;
        // Without the check's verdict the breaker would stay open for its 60 s.
        assertTrue(tookMillis < INTERVAL_MILLIS + 1_200, "the first success came " + tookMillis + " ms after LM Studio's return");
    }
}
