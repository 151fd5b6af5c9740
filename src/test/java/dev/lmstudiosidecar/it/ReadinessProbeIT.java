package dev.lmstudiosidecar.it;

import dev.lmstudiosidecar.testsupport.PackagedSidecarPorts;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link ReadinessProbeTest} (readiness and liveness on the management port, and the health metrics) against
 * the packaged sidecar: the fast-jar under {@code ./mvnw verify}, the native executable under
 * {@code ./mvnw verify -Dnative}. Its test profile's settings reach the launched process.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedSidecarPorts.class)
class ReadinessProbeIT extends ReadinessProbeTest {
}
