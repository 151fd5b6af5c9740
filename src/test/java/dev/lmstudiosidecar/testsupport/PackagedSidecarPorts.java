package dev.lmstudiosidecar.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * For {@code @QuarkusIntegrationTest} classes (next to {@link EmulatorResource}): the packaged sidecar runs
 * as a process of its own in normal launch mode, where the management interface binds
 * {@code quarkus.management.port} (9235), not the {@code quarkus.management.test-port} that
 * {@link EmulatorResource} chose and {@link ManagementUrls} reads. This points the first at the second
 * (an expression the launched sidecar resolves against the test port it is also given), so the probes and
 * metrics are where the tests look, and two test runs never compete for 9235.
 *
 * <p>(The API port needs nothing: Quarkus launches the jar or executable with {@code quarkus.http.port} set to
 * the test port, and reads the port it listens on from its log.)
 */
public class PackagedSidecarPorts implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("quarkus.management.port", "${quarkus.management.test-port}");
    }

    @Override
    public void stop() {
    }
}
