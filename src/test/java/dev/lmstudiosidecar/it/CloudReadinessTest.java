package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.CloudEmulatorResource;
import dev.lmstudiosidecar.testsupport.EmulatedCloudTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.Eventually;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With the cloud fallback on and the cloud healthy, the pod stays ready while LM Studio is down.
 * A profile of its own: the cloud's breaker must not carry the failures other cloud tests provoke.
 */
@QuarkusTest
@TestProfile(CloudReadinessTest.FrequentChecks.class)
@WithTestResource(EmulatorResource.class)
@WithTestResource(CloudEmulatorResource.class)
class CloudReadinessTest extends EmulatedCloudTest {

    public static class FrequentChecks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lmstudio.health-check-interval", "300ms");
        }
    }

    @AfterEach
    void cloudListensAgain() {
        cloud.refuseConnections(false);
    }

    private static JsonPath readiness() {
        return given().when().get(ManagementUrls.of("health/ready")).then().extract().jsonPath();
    }

    private static String reason(JsonPath readiness) {
        return readiness.getString("checks.find { it.name == 'backends' }.data.reason");
    }

    @Test
    void aHealthyCloudKeepsThePodReadyWhileLmStudioIsDownAndAFailingOneDoesNot() {
        lmstudio.refuseConnections(true);
        Eventually.await("LM Studio found down", Duration.ofSeconds(5), () -> reason(readiness()).startsWith("LM Studio does not answer"));
        JsonPath ready = readiness();
        assertTrue("UP".equals(ready.getString("status")), ready.prettify());
        assertTrue(reason(ready).startsWith("LM Studio does not answer: nothing listens at " + lmstudio.baseUrl()), reason(ready));
        assertTrue(reason(ready).endsWith("the cloud provider is healthy and takes over (lmstudio.enable-cloud-fallback, sidecar.readiness.cloud-counts)"),
                reason(ready));
        given().when().get("/admin/health").then().statusCode(200)
                .body("backends.lmstudio.status", equalTo("unhealthy"))
                .body("backends.lmstudio.errors[0]", containsString("Connection refused"))
                .body("backends.cloud.status", equalTo("healthy"))
                .body("backends.cloud.availableModels", hasItem(CloudEmulatorResource.CLOUD_MODEL));

        cloud.refuseConnections(true);
        Eventually.await("readiness DOWN with the cloud down too", Duration.ofSeconds(5), () -> "DOWN".equals(readiness().getString("status")));
        assertTrue(reason(readiness()).endsWith("the cloud provider cannot take over: it is unhealthy"), reason(readiness()));
    }
}
