package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.InjectEmulator;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An LM Studio that stops answering is a 504, not a hang. */
@QuarkusTest
@TestProfile(UpstreamTimeoutTest.ShortTimeout.class)
@WithTestResource(EmulatorResource.class)
class UpstreamTimeoutTest {

    public static class ShortTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lmstudio.timeout", "500ms");
        }
    }

    @InjectEmulator
    LmStudioEmulator emulator;

    @BeforeEach
    void resetEmulator() {
        emulator.reset();
    }

    @Test
    void aHungRequestIs504NamingTheSetting() {
        emulator.hangNext(1);
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"qwen2.5-7b-instruct\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .when().post("/v1/chat/completions")
                .then().statusCode(504).contentType(ContentType.JSON)
                .body("error.code", equalTo("upstream_timeout"))
                .body("error.message", containsString("lmstudio.timeout"));
    }
}
