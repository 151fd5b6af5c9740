package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.Eventually;
import dev.lmstudiosidecar.testsupport.InjectEmulator;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * /q/health/started waits for the kept-warm model's load (6 s in the emulator from its start), not
 * only for the first check. Not an {@code EmulatedLmStudioTest}: its reset would undo the load under way.
 */
@QuarkusTest
@TestProfile(StartupProbeTest.KeepPhiWarm.class)
@WithTestResource(value = EmulatorResource.class, initArgs = @ResourceArg(name = EmulatorResource.LOAD_DELAY_MS, value = "6000"))
class StartupProbeTest {

    private static final String PHI = "phi-3-mini";

    public static class KeepPhiWarm implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // One listing at start: the load it starts is all that happens.
            return Map.of("lmstudio.keep-models-warm", PHI,
                    "lmstudio.health-check-interval", "10m",
                    "sidecar.startup.max-wait", "60s");
        }
    }

    @InjectEmulator
    LmStudioEmulator emulator;

    private static JsonPath started() {
        return given().when().get(ManagementUrls.of("health/started")).then().extract().jsonPath();
    }

    @Test
    void startupWaitsForTheKeptWarmModelToLoad() {
        assertFalse(emulator.loadedModels().contains(PHI), "the emulator is still loading " + PHI);
        JsonPath whileLoading = started();
        assertEquals("DOWN", whileLoading.getString("status"), whileLoading.prettify());
        assertEquals("done", whileLoading.getString("checks.find { it.name == 'startup' }.data.firstCheck"));
        assertEquals("loading", whileLoading.getString("checks.find { it.name == 'startup' }.data.'keptWarm." + PHI + "'"));
        assertEquals(1, emulator.loadCount(PHI), "the load under way");
        Eventually.await("started", Duration.ofSeconds(15), () -> "UP".equals(started().getString("status")));
        assertTrue(emulator.loadedModels().contains(PHI), "UP only once " + PHI + " is loaded");
        assertEquals("loaded", started().getString("checks.find { it.name == 'startup' }.data.'keptWarm." + PHI + "'"));
    }
}
