package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code lmstudio.cache-mode=all}, the seed's behaviour: a sampled answer is kept and given again too. */
@QuarkusTest
@TestProfile(ResponseCacheAllModeTest.AllMode.class)
@WithTestResource(EmulatorResource.class)
class ResponseCacheAllModeTest extends EmulatedLmStudioTest {

    public static class AllMode implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.of("lmstudio.enable-caching", "true", "lmstudio.cache-mode", "all",
                        "sidecar.data-dir", Files.createTempDirectory("sidecar-cache-all").toString());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void aSampledRequestIsCachedInAllMode() {
        String sampled = "{\"model\":\"qwen2.5-7b-instruct\",\"temperature\":0.8,\"messages\":[{\"role\":\"user\",\"content\":\"A poem\"}]}";
        Response first = given().contentType(ContentType.JSON).body(sampled).post("/v1/chat/completions");
        Response again = given().contentType(ContentType.JSON).body(sampled).post("/v1/chat/completions");

        assertEquals("MISS", first.header("X-Sidecar-Cache"));
        assertEquals("HIT", again.header("X-Sidecar-Cache"));
        assertEquals(first.jsonPath().getString("id"), again.jsonPath().getString("id"));
        assertEquals(1, emulator.requestCount("/v1/chat/completions"));
    }
}
