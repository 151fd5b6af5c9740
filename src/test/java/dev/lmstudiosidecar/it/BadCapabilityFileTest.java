package dev.lmstudiosidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A capability file the sidecar cannot read stops it at start, with one line that names the file and the line. */
@QuarkusMainTest
@TestProfile(BadCapabilityFileTest.WithBadFile.class)
class BadCapabilityFileTest {

    static final String FILE = "src/test/resources/capabilities/bad-task.yaml";

    public static class WithBadFile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lmstudio.capabilities-file", FILE,
                    "lmstudio.base-url", "http://127.0.0.1:9/v1"); // never called: the start fails first
        }
    }

    @Test
    @Launch(value = {}, exitCode = 1)
    void theStartFailsWithOneLineNamingTheFileAndLine(LaunchResult result) {
        String output = result.getOutput() + "\n" + result.getErrorOutput();
        List<String> naming = output.lines().filter(line -> line.contains(FILE + ":5")).toList();
        assertEquals(1, naming.size(), output);
        assertTrue(naming.get(0).contains("codng"), naming.get(0));
        assertFalse(output.contains("\tat dev.lmstudiosidecar"), "no stack trace of ours: " + output);
    }
}
