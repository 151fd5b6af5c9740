package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.Shape;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Discovery finds the richest listing the server has (LM Studio 0.4, 0.3, or a generic OpenAI
 * server), and GET /admin/models joins it with the capability catalog.
 */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class ModelDiscoveryTest extends EmulatedLmStudioTest {

    private static ValidatableResponse refresh() {
        return when().post("/admin/models/refresh").then().statusCode(200);
    }

    private static String model(String key) {
        return "data.find { it.id == '" + key + "' }.";
    }

    @Test
    void lmStudio04ListsLoadedInstancesSizesAndTypes() {
        emulator.shape(Shape.LMSTUDIO_0_4);
        refresh().body("source", equalTo("/api/v1/models"));
        when().get("/admin/models").then().statusCode(200)
                .body("source", equalTo("/api/v1/models"))
                .body(model("qwen2.5-7b-instruct") + "state", equalTo("loaded"))
                .body(model("qwen2.5-7b-instruct") + "instances.id", contains("qwen2.5-7b-instruct"))
                .body(model("qwen2.5-7b-instruct") + "instances.contextLength", contains(4096))
                .body(model("qwen2.5-7b-instruct") + "sizeBytes", equalTo(4_683_000_000L))
                .body(model("qwen2.5-7b-instruct") + "type", equalTo("llm"))
                .body(model("phi-3-mini") + "state", equalTo("not-loaded"))
                .body(model("phi-3-mini") + "memoryGB", equalTo(0.0f))
                .body(model("text-embedding-nomic-embed-text-v1.5") + "type", equalTo("embedding"));
    }

    @Test
    void lmStudio03ListsStatesWithoutInstances() {
        emulator.shape(Shape.LMSTUDIO_0_3);
        refresh().body("source", equalTo("/api/v0/models"))
                .body(model("qwen2.5-7b-instruct") + "state", equalTo("loaded"))
                .body(model("phi-3-mini") + "state", equalTo("not-loaded"))
                .body(model("text-embedding-nomic-embed-text-v1.5") + "type", equalTo("embedding"))
                .body(model("qwen2.5-7b-instruct") + "instances", equalTo(List.of()));
    }

    @Test
    void aGenericOpenAiServerListsNamesWithUnknownState() {
        emulator.shape(Shape.GENERIC_OPENAI);
        emulator.jitLoading(false); // such a server lists what it serves
        refresh().body("source", equalTo("/v1/models"))
                .body(model("qwen2.5-7b-instruct") + "state", equalTo("unknown"))
                .body(model("phi-3-mini") + "state", equalTo("not-downloaded")); // only in the built-in catalog
    }

    @Test
    void llamaCppsMetaGivesTheInferredParametersContextLengthAndMemory() {
        emulator.shape(Shape.LLAMA_CPP);
        // No count in the key and no catalog entry: only llama.cpp's meta can say how large it is.
        emulator.addModel("acme-chat.gguf", "llm", 3_825_065_984L, "6.7B", "Q4_K_M", 16384, false);
        refresh().body("source", equalTo("/v1/models"))
                .body(model("acme-chat.gguf") + "state", equalTo("unknown"))
                .body(model("acme-chat.gguf") + "sizeBytes", equalTo(3_825_065_984L))
                .body(model("acme-chat.gguf") + "capabilitySource", equalTo("inferred"))
                .body(model("acme-chat.gguf") + "capabilities.parameterCount", equalTo(6_700_000_000L))
                .body(model("acme-chat.gguf") + "capabilities.maxContextLength", equalTo(16384))
                .body(model("acme-chat.gguf") + "capabilities.memoryRequirement", equalTo(4.3f)) // 3.56 GiB + 20%
                .body(model("acme-chat.gguf") + "capabilities.minMemoryGB", equalTo(4.3f))
                .body(model("acme-chat.gguf") + "capabilities.estimatedLatency.general", equalTo(568));
    }

    @Test
    void theListingFollowsTheServerWhenItChangesShape() {
        emulator.shape(Shape.GENERIC_OPENAI);
        refresh().body("source", equalTo("/v1/models"));
        emulator.shape(Shape.LMSTUDIO_0_4);
        refresh().body("source", equalTo("/api/v1/models"));
    }

    @Test
    void builtInEntriesJoinTheListingAndTheRestAreMarkedNotDownloaded() {
        refresh()
                .body(model("phi-3-mini") + "capabilitySource", equalTo("built-in"))
                .body(model("phi-3-mini") + "capabilities.parameterCount", equalTo(3_800_000_000L))
                .body(model("phi-3-mini") + "capabilities.supportedTasks", containsInAnyOrder("general", "coding", "analysis"))
                .body(model("llama-3-70b") + "state", equalTo("not-downloaded"))
                .body(model("llama-3-70b") + "capabilities.performanceScores.research", equalTo(95))
                .body(model("deepseek-coder-34b") + "capabilities.estimatedLatency.coding", equalTo(1200));
    }

    @Test
    void aModelWithoutACatalogEntryGetsInferredCapabilities() {
        emulator.addModel("acme-coder-13b-instruct", "llm", 7_900_000_000L, "13B", "Q4_K_M", 16384, false);
        refresh()
                .body(model("acme-coder-13b-instruct") + "capabilitySource", equalTo("inferred"))
                .body(model("acme-coder-13b-instruct") + "capabilities.inferred", equalTo(true))
                .body(model("acme-coder-13b-instruct") + "capabilities.parameterCount", equalTo(13_000_000_000L))
                .body(model("acme-coder-13b-instruct") + "capabilities.maxContextLength", equalTo(16384))
                .body(model("acme-coder-13b-instruct") + "capabilities.quantization", equalTo("Q4_K_M"))
                .body(model("acme-coder-13b-instruct") + "capabilities.supportedTasks", hasItem("coding"))
                .body(model("text-embedding-nomic-embed-text-v1.5") + "capabilities.supportedTasks", equalTo(List.of()));
    }

    @Test
    void aRequestForAModelTheLastListingLackedRefreshesIt() throws InterruptedException {
        refresh();
        emulator.addModel("brand-new-7b", "llm", 4_000_000_000L, "7B", "Q4_K_M", 8192, true);
        Thread.sleep(150); // past lmstudio.discovery-min-interval (100ms in tests)
        int listingsBefore = emulator.requestCount("/api/v1/models");
        given().contentType("application/json")
                .body("{\"model\":\"brand-new-7b\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(200);
        assertTrue(emulator.requestCount("/api/v1/models") > listingsBefore);
        when().get("/admin/models").then().body(model("brand-new-7b") + "state", equalTo("loaded"));
    }

    @Test
    void aRefreshWhileTheServerIsDownAnswersTheLastListingMarkedStale() {
        String listedAt = refresh().body("stale", equalTo(false)).extract().path("listedAt");
        emulator.refuseConnections(true);
        when().post("/admin/models/refresh").then().statusCode(200)
                .body("stale", equalTo(true))
                .body("listedAt", equalTo(listedAt))
                .body("lastError", containsString("Connection refused"))
                .body("lastError", containsString(emulator.baseUrl()))
                .body(model("qwen2.5-7b-instruct") + "state", equalTo("loaded"));
        when().get("/admin/models").then().statusCode(200)
                .body("stale", equalTo(true))
                .body("lastError", containsString("Connection refused"));
        emulator.refuseConnections(false);
        refresh().body("lastError", nullValue()).body("stale", equalTo(false));
        // The refresh that found nothing listening opened LM Studio's breaker; the one that found it back let calls through.
        ChatRequests.post("qwen2.5-7b-instruct", false).statusCode(200);
    }
}
