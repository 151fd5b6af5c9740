package dev.lmstudiosidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A listing interval of 0 would poll LM Studio in a tight loop: the sidecar refuses to start, saying which setting. */
@QuarkusMainTest
@TestProfile(BadModelSettingsTest.ZeroInterval.class)
class BadModelSettingsTest {

    public static class ZeroInterval implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lmstudio.health-check-interval", "0s", "lmstudio.base-url", "http://127.0.0.1:9/v1");
        }
    }

    @Test
    @Launch(value = {}, exitCode = 1)
    void aZeroListingIntervalStopsTheStart(LaunchResult result) {
        String output = result.getOutput() + "\n" + result.getErrorOutput();
        assertEquals(1, output.lines().filter(line -> line.contains("lmstudio.health-check-interval must be at least 1ms")).count(), output);
    }
}
