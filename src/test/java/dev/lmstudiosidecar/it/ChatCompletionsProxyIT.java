package dev.lmstudiosidecar.it;

import dev.lmstudiosidecar.testsupport.PackagedSidecarPorts;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link ChatCompletionsProxyTest} (plain and streamed chats, pass-through, headers) against the packaged
 * sidecar: the fast-jar under {@code ./mvnw verify}, the native executable under {@code ./mvnw verify -Dnative}.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedSidecarPorts.class)
class ChatCompletionsProxyIT extends ChatCompletionsProxyTest {
}
