package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.CloudEmulatorResource;
import dev.lmstudiosidecar.testsupport.EmulatedCloudTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

/** The chain's last link: an OpenAI-compatible cloud, with its key kept to itself. */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
@WithTestResource(CloudEmulatorResource.class)
class CloudFallbackTest extends EmulatedCloudTest {

    private static final String CHAT_BODY = ChatRequests.body("qwen2.5-7b-instruct", false);

    private RequestSpecification chat() {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer lm-studio").body(CHAT_BODY);
    }

    @Test
    void theCloudAnswersWhenLmStudioIsDown() {
        lmstudio.refuseConnections(true);
        chat().when().post("/v1/chat/completions").then().statusCode(200)
                .header("X-Sidecar-Provider", "cloud")
                .header("X-Sidecar-Model", CloudEmulatorResource.CLOUD_MODEL)
                .header("X-Sidecar-Fallback", "cloud:" + CloudEmulatorResource.CLOUD_MODEL)
                .body("model", equalTo(CloudEmulatorResource.CLOUD_MODEL));
        assertEquals("Bearer " + CloudEmulatorResource.API_KEY,
                cloud.lastRequest("/v1/chat/completions").header("Authorization"), "the cloud gets its key, not the app's");
    }

    @Test
    void anAutoRequestNoLocalModelCanServeGoesToTheCloud() {
        lmstudio.removeAllModels();
        lmstudio.addModel("text-embedding-nomic-embed-text-v1.5", "embedding", 84_000_000L, "137M", "Q8_0", 2048, true);
        given().post("/admin/models/refresh").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}")
                .when().post("/v1/chat/completions").then().statusCode(200)
                .header("X-Sidecar-Provider", "cloud")
                .header("X-Sidecar-Task", org.hamcrest.Matchers.startsWith("general"))
                .header("X-Sidecar-Route-Reason", org.hamcrest.Matchers.startsWith("cloud:" + CloudEmulatorResource.CLOUD_MODEL + " stood in"));
        assertEquals(0, lmstudio.requestCount("/v1/chat/completions"));
    }

    @Test
    void lmStudioNeverSeesTheCloudKey() {
        chat().when().post("/v1/chat/completions").then().statusCode(200).header("X-Sidecar-Provider", "lmstudio");
        assertEquals("Bearer lm-studio", lmstudio.lastRequest("/v1/chat/completions").header("Authorization"));
        assertEquals(0, cloud.requestCount("/v1/chat/completions"));
    }

    @Test
    void aRequestCanTurnTheCloudOff() {
        lmstudio.refuseConnections(true);
        chat().header("X-Sidecar-Fallback-To-Cloud", "false").when().post("/v1/chat/completions").then()
                .statusCode(503).body("error.code", equalTo("model_unavailable"));
        assertEquals(0, cloud.requestCount("/v1/chat/completions"));
    }

    @Test
    void whenTheCloudRefusesItsKeyTheErrorNamesBothAndNeverTheKey() {
        lmstudio.refuseConnections(true);
        cloud.failNext(10, 401); // the cloud's 401 message echoes the key it refused
        String body = chat().when().post("/v1/chat/completions").then().statusCode(503)
                .header("X-Sidecar-Fallback", org.hamcrest.Matchers.nullValue())
                .header("X-Sidecar-Provider", "lmstudio")
                .body("error.message", containsString("qwen2.5-7b-instruct ("))
                .body("error.message", containsString("cloud:" + CloudEmulatorResource.CLOUD_MODEL + " ("))
                .body("error.message", containsString("cloud.api-key"))
                .extract().asString();
        assertFalse(body.contains(CloudEmulatorResource.API_KEY), body);
        assertFalse(body.contains(CloudEmulatorResource.API_KEY.substring(0, 12)), body);
    }

    @Test
    void theCloudKeysRefusalIsNeverPassedOnAsTheAppsOwn401() {
        cloud.failNext(10, 401);
        lmstudio.failNext(10, 500);
        String body = chat().header("X-Sidecar-Prefer-Provider", "cloud").when().post("/v1/chat/completions").then()
                .statusCode(503).extract().asString();
        assertFalse(body.contains(CloudEmulatorResource.API_KEY.substring(0, 12)), body);
        assertTrue(body.contains("lms load qwen2.5-7b-instruct"), "the model to load is a local one, not the cloud's: " + body);
    }

    @Test
    void theBodyFieldCanTurnTheCloudOff() {
        lmstudio.refuseConnections(true);
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"qwen2.5-7b-instruct\",\"fallback_to_cloud\":false,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .when().post("/v1/chat/completions").then().statusCode(503);
        assertEquals(0, cloud.requestCount("/v1/chat/completions"));
    }

    @Test
    void aRequestPreferringTheCloudGoesThereFirst() {
        chat().header("X-Sidecar-Prefer-Provider", "cloud").when().post("/v1/chat/completions").then()
                .statusCode(200).header("X-Sidecar-Provider", "cloud")
                .header("X-Sidecar-Fallback", org.hamcrest.Matchers.nullValue());
        assertEquals(0, lmstudio.requestCount("/v1/chat/completions"));
    }
}
