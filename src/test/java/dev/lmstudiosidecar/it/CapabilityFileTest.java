package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.when;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;

import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** lmstudio.capabilities-file overrides built-in entries field by field and adds glob entries for LM Studio keys. */
@QuarkusTest
@TestProfile(CapabilityFileTest.WithFile.class)
@WithTestResource(EmulatorResource.class)
class CapabilityFileTest extends EmulatedLmStudioTest {

    public static class WithFile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lmstudio.capabilities-file", "src/test/resources/capabilities/override.yaml");
        }
    }

    private static String model(String key) {
        return "data.find { it.id == '" + key + "' }.";
    }

    @Test
    void theFileOverridesOnlyTheFieldsItGivesOfABuiltInEntry() {
        when().post("/admin/models/refresh").then().statusCode(200)
                .body(model("phi-3-mini") + "capabilitySource", equalTo("file"))
                .body(model("phi-3-mini") + "capabilities.supportedTasks", containsInAnyOrder("general", "creative"))
                .body(model("phi-3-mini") + "capabilities.parameterCount", equalTo(3_800_000_000L)) // kept from the built-in
                .body(model("phi-3-mini") + "capabilities.estimatedLatency.general", equalTo(500));
    }

    @Test
    void aGlobEntryDescribesTheModelsItMatchesAndTheListingFillsWhatItLeavesOut() {
        when().post("/admin/models/refresh").then().statusCode(200)
                .body(model("qwen2.5-7b-instruct") + "capabilitySource", equalTo("file"))
                .body(model("qwen2.5-7b-instruct") + "capabilities.modelName", equalTo("qwen2.5-7b-instruct"))
                .body(model("qwen2.5-7b-instruct") + "capabilities.parameterCount", equalTo(7_000_000_000L)) // the file's
                .body(model("qwen2.5-7b-instruct") + "capabilities.maxContextLength", equalTo(32768)) // the listing's
                .body(model("qwen2.5-7b-instruct") + "capabilities.quantization", equalTo("Q4_K_M")) // the listing's
                .body(model("qwen2.5-7b-instruct") + "capabilities.minMemoryGB", equalTo(5.2f)) // from its size
                .body(model("qwen2.5-7b-instruct") + "capabilities.supportedTasks", containsInAnyOrder("coding", "general"))
                .body(model("qwen2.5-7b-instruct") + "capabilities.performanceScores.coding", equalTo(88))
                .body(model("qwen2.5-7b-instruct") + "capabilities.inferred", equalTo(false));
    }
}
