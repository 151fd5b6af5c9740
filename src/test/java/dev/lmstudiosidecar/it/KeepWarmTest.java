package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** lmstudio.keep-models-warm: kept models are loaded, and loaded again within one interval when LM Studio evicts them. */
@QuarkusTest
@TestProfile(KeepWarmTest.KeepPhiWarm.class)
@WithTestResource(EmulatorResource.class)
class KeepWarmTest extends EmulatedLmStudioTest {

    public static class KeepPhiWarm implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lmstudio.keep-models-warm", "phi-3-mini",
                    "lmstudio.health-check-interval", "200ms");
        }
    }

    @Test
    void anEvictedKeptModelIsLoadedAgainWithinOneInterval() {
        // The emulator's reset before this test left phi-3-mini unloaded: the next listing sees that.
        Eventually.await("phi-3-mini loaded", Duration.ofSeconds(5), () -> emulator.loadedModels().contains("phi-3-mini"));
        emulator.evict("phi-3-mini");
        long evictedAt = System.nanoTime();
        Eventually.await("phi-3-mini loaded again", Duration.ofSeconds(5), () -> emulator.loadedModels().contains("phi-3-mini"));
        long tookMillis = (System.nanoTime() - evictedAt) / 1_000_000;
        // One interval (200 ms) plus the listing and the load; far from the 5 s bound.
        assertTrue(tookMillis < 2_000, "reloaded after " + tookMillis + " ms");
        assertEquals(1, emulator.loadedInstances("phi-3-mini").size(), "one copy, not one per listing");
    }

    @Test
    void aKeptModelCannotBeUnloadedThroughTheAdminApi() {
        Eventually.await("phi-3-mini loaded", Duration.ofSeconds(5), () -> emulator.loadedModels().contains("phi-3-mini"));
        when().post("/admin/models/phi-3-mini/unload").then().statusCode(409).body("error.code", equalTo("model_kept_warm"));
        given().contentType("application/json").body("{\"context_length\": 2048}").post("/admin/models/phi-3-mini/load")
                .then().statusCode(200);
        when().post("/admin/models/phi-3-mini:2/unload").then().statusCode(409).body("error.code", equalTo("model_kept_warm"));
        assertEquals(2, emulator.loadedInstances("phi-3-mini").size());
    }
}
