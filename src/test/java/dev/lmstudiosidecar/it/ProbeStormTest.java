package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import dev.lmstudiosidecar.testsupport.emulator.RecordedRequest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Probes read what the monitor last found: hundreds of them reach LM Studio not once. */
@QuarkusTest
@TestProfile(ProbeStormTest.RareChecks.class)
@WithTestResource(EmulatorResource.class)
class ProbeStormTest extends EmulatedLmStudioTest {

    public static class RareChecks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // No periodic listing during the storm: whatever reaches the emulator, a probe sent.
            return Map.of("lmstudio.health-check-interval", "10m");
        }
    }

    @Test
    void aProbeStormReachesLmStudioZeroTimes() {
        given().post("/admin/models/refresh").then().statusCode(200); // the monitor knows the reset emulator
        int before = emulator.requests().size();
        List<URL> probes = List.of(ManagementUrls.of("health/ready"), ManagementUrls.of("health/live"),
                ManagementUrls.of("health/started"), ManagementUrls.of("health"));
        for (int i = 0; i < 200; i++) {
            given().when().get(ManagementUrls.of("health/ready")).then().statusCode(200);
        }
        for (URL probe : probes) {
            for (int i = 0; i < 25; i++) {
                given().when().get(probe).then().statusCode(200);
            }
        }
        List<RecordedRequest> after = emulator.requests();
        assertEquals(List.of(), after.subList(before, after.size()).stream().map(request -> request.method() + " " + request.path()).toList(),
                "requests LM Studio got during the storm");
    }
}
