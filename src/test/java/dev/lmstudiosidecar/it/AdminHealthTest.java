package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** GET /admin/health: the seed's ProviderHealth of each backend, as the last check left it. */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class AdminHealthTest extends EmulatedLmStudioTest {

    private static final String QWEN = "qwen2.5-7b-instruct";

    @Test
    void aListingWithAChatModelLoadedIsHealthy() {
        given().post("/admin/models/refresh").then().statusCode(200); // a check now, of the reset emulator
        given().header("X-Request-Id", "health-1").when().get("/admin/health").then().statusCode(200)
                .header("X-Request-Id", "health-1")
                .body("backends.lmstudio.status", equalTo("healthy"))
                .body("backends.lmstudio.responseTime", greaterThanOrEqualTo(0))
                .body("backends.lmstudio.availableModels", hasItems(QWEN, "phi-3-mini"))
                .body("backends.lmstudio.loadedModels", hasItem(QWEN))
                .body("backends.lmstudio.loadedModels", not(hasItem("phi-3-mini")))
                .body("backends.lmstudio.errors", empty())
                .body("backends.lmstudio.lastCheck", notNullValue())
                .body("backends.lmstudio.testCompletion", nullValue())
                .body("backends.cloud", nullValue()); // none configured
    }

    @Test
    void aListingWithoutAnyChatModelIsDegradedAndSaysWhy() {
        emulator.removeAllModels();
        emulator.addModel("text-embedding-nomic-embed-text-v1.5", "embedding", 84_000_000L, "137M", "Q8_0", 2048, true);
        given().post("/admin/models/refresh").then().statusCode(200);
        given().when().get("/admin/health").then().statusCode(200)
                .body("backends.lmstudio.status", equalTo("degraded"))
                .body("backends.lmstudio.errors", contains("a chat model is required: LM Studio has no chat model"
                        + " (download one with `lms get <model>`)"));
        emulator.reset();
        given().post("/admin/models/refresh").then().statusCode(200); // no degraded LM Studio left for the next test class
    }

    @Test
    void anotherMethodIs405WithAllowAndAnOpenAiError() {
        given().header("X-Request-Id", "health-2").when().post("/admin/health").then().statusCode(405)
                .header("Allow", "GET")
                .header("X-Request-Id", "health-2")
                .body("error.code", equalTo("method_not_allowed"))
                .body("error.type", equalTo("invalid_request_error"));
    }
}
