package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.InjectEmulator;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Without LM Studio the sidecar stays up and says what to do. */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class UnreachableLmStudioTest {

    @InjectEmulator
    LmStudioEmulator emulator;

    @AfterEach
    void listenAgain() {
        emulator.reset(); // listening again, with the default models
        // Had a check found nothing listening meanwhile, LM Studio's breaker would be open for the next
        // test class of this profile: a check now lets calls through, and a request that passes closes it.
        given().post("/admin/models/refresh").then().statusCode(200);
        ChatRequests.post("qwen2.5-7b-instruct", false).statusCode(200);
    }

    @Test
    void aRefusedConnectionIs503NamingTheUrlAndTheFix() {
        emulator.refuseConnections(true);
        ChatRequests.post("qwen2.5-7b-instruct", false).statusCode(503).contentType(ContentType.JSON)
                .header("X-Sidecar-Provider", "lmstudio")
                .body("error.code", equalTo("model_unavailable"))
                .body("error.message", containsString(emulator.baseUrl()))
                .body("error.message", containsString("lms server start"))
                .body("error.message", containsString("LMSTUDIO_URL"));
    }

    @Test
    void livenessStaysUpWhileLmStudioIsDown() {
        emulator.refuseConnections(true);
        given().when().get(ManagementUrls.of("health/live")).then().statusCode(200).body("status", equalTo("UP"));
    }
}
