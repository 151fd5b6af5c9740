package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.RawHttpConnection;
import dev.lmstudiosidecar.testsupport.RawHttpConnection.Answer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** sidecar.admin-token guards /admin/* (and only that); /admin/resources accounts for the memory budget. */
@QuarkusTest
@TestProfile(AdminAccessTest.TokenAndBudget.class)
@WithTestResource(EmulatorResource.class)
class AdminAccessTest extends EmulatedLmStudioTest {

    static final String TOKEN = "s3cret-admin-token";
    private static final double GIB = 1L << 30;

    public static class TokenAndBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sidecar.admin-token", TOKEN, "lmstudio.memory-budget", "24GiB");
        }
    }

    @TestHTTPResource("/")
    URL sidecar;

    @Test
    void withoutTheTokenTheAdminApiIs401() {
        when().get("/admin/models").then().statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("error.code", equalTo("invalid_api_key"));
        given().header("Authorization", "Bearer wrong").post("/admin/models/phi-3-mini/load").then().statusCode(401);
        assertEquals(0, emulator.loadCount("phi-3-mini"));
    }

    @Test
    void a401CarriesTheRequestIdAndLeavesTheConnectionOpen() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(sidecar)) {
            Answer refused = connection.send("POST", "/admin/models/phi-3-mini/load",
                    Map.of("Content-Type", "application/json", "X-Request-Id", "no-token-1"), "{\"context_length\": 2048}");
            assertEquals(401, refused.status(), refused.body());
            assertEquals("no-token-1", refused.header("X-Request-Id"));
            assertNull(refused.header("Connection"));
            Answer next = connection.send("GET", "/admin/models", Map.of("Authorization", "Bearer " + TOKEN), null);
            assertEquals(200, next.status(), next.body());
            assertTrue(next.header("X-Request-Id").matches("[0-9a-f]{32}"), next.header("X-Request-Id"));
        }
        assertEquals(0, emulator.loadCount("phi-3-mini"));
    }

    @Test
    void withTheTokenTheAdminApiAnswers() {
        given().header("Authorization", "Bearer " + TOKEN).get("/admin/models").then().statusCode(200);
        given().header("Authorization", "bearer " + TOKEN).get("/admin/models").then().statusCode(200); // the scheme has no case
        given().header("Authorization", "Bearer " + TOKEN.toUpperCase()).get("/admin/models").then().statusCode(401); // the token has
    }

    @Test
    void theOpenAiApiNeedsNoAdminToken() {
        ChatRequests.post("qwen2.5-7b-instruct", false).statusCode(200);
    }

    @Test
    void resourcesSubtractWhatLoadedModelsHoldFromTheBudget() {
        given().header("Authorization", "Bearer " + TOKEN).post("/admin/models/refresh").then().statusCode(200);
        // qwen2.5-7b-instruct (4.683 GB) and the nomic embedding model (0.084 GB) are loaded.
        double held = (4_683_000_000L + 84_000_000L) / GIB;
        JsonPath resources = given().header("Authorization", "Bearer " + TOKEN).get("/admin/resources").then().statusCode(200)
                .body("loadedModels", equalTo(2))
                .body("sidecar.heapUsedMB", greaterThan(0f))
                .body("sidecar.rssMB", greaterThan(0f))
                .extract().jsonPath();
        assertEquals(24.0, resources.getDouble("memoryBudgetGB"), 0.01);
        assertEquals(held, resources.getDouble("modelMemoryGB"), 0.01);
        assertEquals(24.0 - held, resources.getDouble("availableMemoryGB"), 0.01);
    }
}
