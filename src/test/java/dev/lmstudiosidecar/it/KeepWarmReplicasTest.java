package dev.lmstudiosidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lmstudiosidecar.testsupport.EmulatorFleet;
import dev.lmstudiosidecar.testsupport.EmulatorFleetResource;
import dev.lmstudiosidecar.testsupport.Eventually;
import dev.lmstudiosidecar.testsupport.InjectEmulatorFleet;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code lmstudio.keep-warm-replicas}: a kept-warm model stays loaded on that many hosts, placed by free
 * memory, and is loaded elsewhere when one of them goes away.
 */
@QuarkusTest
@TestProfile(KeepWarmReplicasTest.TwoReplicas.class)
@WithTestResource(EmulatorFleetResource.class)
class KeepWarmReplicasTest {

    private static final String PHI = "phi-3-mini";

    public static class TwoReplicas implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // Each emulator has qwen (4.4 GiB) loaded and phi not: free memory a 3.5, b 19.5, c 11.5 GiB.
            return Map.of("lmstudio.keep-models-warm", PHI,
                    "lmstudio.keep-warm-replicas", "2",
                    "lmstudio.hosts.a.memory-budget", "8GiB",
                    "lmstudio.hosts.b.memory-budget", "24GiB",
                    "lmstudio.hosts.c.memory-budget", "16GiB",
                    "lmstudio.health-check-interval", "200ms",
                    "lmstudio.health-check.down-interval", "100ms");
        }
    }

    @InjectEmulatorFleet
    EmulatorFleet fleet;

    private boolean loadedOn(String host) {
        return fleet.host(host).loadedModels().contains(PHI);
    }

    @Test
    void aKeptModelStaysOnTwoHostsThroughAnEvictionAndAHostGoingAway() {
        Eventually.await("phi on b and c", Duration.ofSeconds(5), () -> loadedOn("b") && loadedOn("c"));
        assertFalse(loadedOn("a"), "a has the least memory free");
        assertEquals(0, fleet.host("a").loadCount(PHI));

        fleet.host("b").evict(PHI);
        Eventually.await("phi back on b", Duration.ofSeconds(5), () -> loadedOn("b"));
        assertEquals(0, fleet.host("a").loadCount(PHI), "an eviction is made good where the memory is, not on a");

        fleet.host("c").refuseConnections(true); // c goes away
        try {
            Eventually.await("phi loaded on a", Duration.ofSeconds(5), () -> loadedOn("a"));
            assertEquals(1, fleet.host("a").loadCount(PHI));
            assertEquals(1, fleet.host("b").loadedInstances(PHI).size(), "one copy per host, not one per listing");
        } finally {
            fleet.host("c").refuseConnections(false);
        }
    }
}
