package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.CloudEmulatorResource;
import dev.lmstudiosidecar.testsupport.EmulatedCloudTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/** With the cloud fallback on and the cloud healthy, the pod stays ready while LM Studio is down. */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
@WithTestResource(CloudEmulatorResource.class)
class CloudReadinessTest extends EmulatedCloudTest {

    @Test
    void aHealthyCloudKeepsThePodReadyWhileLmStudioIsDown() {
        lmstudio.refuseConnections(true);
        given().post("/admin/models/refresh").then().statusCode(200); // a check now, rather than within 30 s
        JsonPath ready = given().when().get(ManagementUrls.of("health/ready")).then().extract().jsonPath();
        assertEquals("UP", ready.getString("status"), ready.prettify());
        String reason = ready.getString("checks.find { it.name == 'backends' }.data.reason");
        assertTrue(reason.startsWith("LM Studio does not answer: nothing listens at " + lmstudio.baseUrl()), reason);
        assertTrue(reason.endsWith("the cloud provider is healthy and takes over (lmstudio.enable-cloud-fallback, sidecar.readiness.cloud-counts)"),
                reason);
        given().when().get("/admin/health").then().statusCode(200)
                .body("backends.lmstudio.status", equalTo("unhealthy"))
                .body("backends.lmstudio.errors[0]", containsString("Connection refused"))
                .body("backends.cloud.status", equalTo("healthy"))
                .body("backends.cloud.availableModels", hasItem(CloudEmulatorResource.CLOUD_MODEL));
    }
}
