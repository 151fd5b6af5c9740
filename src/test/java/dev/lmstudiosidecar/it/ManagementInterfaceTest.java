package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
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

    @Test
    void theManagementPortServesNeitherTheOpenAiApiNorTheAdminApi() {
        for (String path : new String[] {"/v1/models", "/v1/chat/completions", "/admin/models", "/admin/cache", "/admin/hosts",
                "/admin/models/qwen2.5-7b-instruct/load", "/q/../v1/models", "/q/../admin/cache"}) {
            String url = ManagementUrls.of("metrics").toString().replace("/q/metrics", path);
            given().when().get(url).then().statusCode(404);
            given().contentType("application/json").body("{}").when().post(url).then().statusCode(org.hamcrest.Matchers.anyOf(
                    equalTo(404), equalTo(405)));
        }
    }

    @Test
    void theApiListensOnLoopback127001OnlyAndManagementOnEveryInterface() throws Exception {
        int api = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        int management = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        // 127.0.0.2 is loopback too, but not the address the API is bound to: a bind to 0.0.0.0 would accept it.
        org.junit.jupiter.api.Assertions.assertThrows(java.net.ConnectException.class,
                () -> new java.net.Socket("127.0.0.2", api).close(), "the API port answers on 127.0.0.2");
        new java.net.Socket("127.0.0.1", api).close();
        new java.net.Socket("127.0.0.2", management).close();
    }
}
