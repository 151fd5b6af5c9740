package dev.lmstudiosidecar.it;

import dev.lmstudiosidecar.testsupport.PackagedSidecarPorts;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link ResponseCacheTest} (both Infinispan tiers: hits, streams, coalescing, what is never kept) against the
 * packaged sidecar: the fast-jar under {@code ./mvnw verify}, the native executable under
 * {@code ./mvnw verify -Dnative}, where Infinispan embedded runs without a Quarkus extension.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedSidecarPorts.class)
class ResponseCacheIT extends ResponseCacheTest {
}
