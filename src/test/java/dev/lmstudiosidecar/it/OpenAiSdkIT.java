package dev.lmstudiosidecar.it;

import dev.lmstudiosidecar.testsupport.PackagedSidecarPorts;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link OpenAiSdkTest} against the packaged sidecar, a process of its own: the fast-jar under
 * {@code ./mvnw verify}, the native executable under {@code ./mvnw verify -Dnative}.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedSidecarPorts.class)
class OpenAiSdkIT extends OpenAiSdkTest {
}
