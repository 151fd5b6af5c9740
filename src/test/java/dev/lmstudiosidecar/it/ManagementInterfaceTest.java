package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Health and metrics live on the management port, not on the app-facing API port. */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class ManagementInterfaceTest {

    @Test
    void livenessIsUpOnTheManagementPort() {
        given().when().get(ManagementUrls.of("health/live")).then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("sidecar"));
    }

    @Test
    void prometheusMetricsAreOnTheManagementPort() {
        given().when().get(ManagementUrls.of("metrics")).then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }

    @Test
    void theApiPortDoesNotServeHealthOrMetricsAndNamesTheManagementPort() {
        for (String path : new String[] {"/q/health/live", "/q/health", "/q/metrics"}) {
            given().header("X-Request-Id", "probe-1").when().get(path).then().statusCode(404)
                    .header("X-Request-Id", "probe-1")
                    .body("error.code", equalTo("unknown_endpoint"))
                    .body("error.message", containsString(path + " is served on the management port 9235 (quarkus.management.port)"));
        }
    }
}
