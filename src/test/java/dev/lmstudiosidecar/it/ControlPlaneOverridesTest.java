package dev.lmstudiosidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.models.DiscoveryApi;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.fleet.LMStudioFleet;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioRestApi;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.Upstream;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Future;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The control plane's Fault Tolerance takes its bounds from lmstudio.*, and the SmallRye keys
 * override them: here the listing has a longer timeout and no retry, the other calls keep
 * lmstudio.discovery-timeout.
 */
@QuarkusTest
@TestProfile(ControlPlaneOverridesTest.Overrides.class)
@WithTestResource(EmulatorResource.class)
class ControlPlaneOverridesTest extends EmulatedLmStudioTest {

    private static final String LIST = "smallrye.faulttolerance.\"dev.lmstudiosidecar.provider.lmstudio.LMStudioRestCalls/list\"";

    public static class Overrides implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "lmstudio.discovery-timeout", "700ms",
                    "lmstudio.connect-timeout", "300ms",
                    // No unit: the one lmstudio.* gives (milliseconds) holds.
                    LIST + ".timeout.value", "3000",
                    LIST + ".retry.max-retries", "0");
        }
    }

    @Inject
    LMStudioFleet fleet;

    private LMStudioRestApi rest;

    @BeforeEach
    void theOneHostsRestApi() {
        rest = fleet.first().orElseThrow().rest();
    }

    @Test
    void theListingKeepsItsOverriddenTimeoutWhileAnUnloadKeepsDiscoveryTimeout() {
        emulator.listingDelay(Duration.ofMillis(1500));
        emulator.unloadDelay(Duration.ofMillis(1500));
        Future<?> listing = rest.list(DiscoveryApi.LMSTUDIO_V1);

        long started = System.nanoTime();
        UpstreamFailure unload = Upstream.failure(rest.unload("qwen2.5-7b-instruct"));
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(UpstreamFailure.Kind.TIMEOUT, unload.kind());
        assertEquals("no answer within 700 ms (lmstudio.discovery-timeout)", unload.message());
        assertTrue(tookMillis < 1400, "the unload gave up after its own bound, not the pool's read timeout: " + tookMillis + " ms");

        // 1.5 s: beyond lmstudio.discovery-timeout, within the listing's own timeout
        assertTrue(Upstream.answer(listing) != null);
    }

    @Test
    void theListingsOverriddenRetryCountHolds() {
        emulator.dropNextListings(1);
        assertEquals(UpstreamFailure.Kind.CONNECTION_LOST, Upstream.failure(rest.list(DiscoveryApi.LMSTUDIO_V1)).kind());
        assertEquals(1, emulator.requestCount("/api/v1/models"), "not sent again");
    }

    @Test
    void aCallThatFindsEveryConnectionBusyPastItsWaitWasNotSent() {
        emulator.listingDelay(Duration.ofMillis(1500));
        Future<?> first = rest.list(DiscoveryApi.LMSTUDIO_V1);
        Future<?> second = rest.list(DiscoveryApi.LMSTUDIO_V0);

        UpstreamFailure third = Upstream.failure(rest.greeting());
        assertEquals(UpstreamFailure.Kind.POOL_EXHAUSTED, third.kind());
        assertEquals("no connection to LM Studio's REST API came free within 300 ms; the call was not sent",
                third.message());
        assertEquals(0, emulator.requestCount("/lmstudio-greeting"));
        Upstream.answer(first);
        Upstream.answer(second);
    }
}
