package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.Eventually;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.Shape;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** POST /admin/models/{model}/load|unload through LM Studio's REST API, and when the sidecar refuses them. */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class ModelAdminTest extends EmulatedLmStudioTest {

    @Test
    void loadsAModelWithTheContextLengthAskedFor() {
        when().post("/admin/models/refresh").then().statusCode(200);
        given().contentType("application/json").body("{\"context_length\": 2048}")
                .post("/admin/models/phi-3-mini/load").then().statusCode(200)
                .body("status", equalTo("loaded"))
                .body("model.id", equalTo("phi-3-mini"))
                .body("model.state", equalTo("loaded"))
                .body("model.instances.contextLength", contains(2048));
        assertEquals(List.of("phi-3-mini"), emulator.loadedInstances("phi-3-mini"));
        assertTrue(emulator.lastRequest("/api/v1/models/load").bodyAsString().contains("\"context_length\":2048"));
    }

    @Test
    void theSeedsCamelCaseContextLengthIsAcceptedAndAnInstanceWithItIsReused() {
        for (int i = 0; i < 2; i++) {
            given().contentType("application/json").body("{\"contextLength\": 2048}")
                    .post("/admin/models/phi-3-mini/load").then().statusCode(200).body("model.instances.contextLength", contains(2048));
        }
        assertEquals(1, emulator.loadCount("phi-3-mini"));
    }

    @Test
    void loadingALoadedModelWithoutAContextLengthLoadsNoSecondCopy() {
        when().post("/admin/models/qwen2.5-7b-instruct/load").then().statusCode(200).body("model.state", equalTo("loaded"));
        assertEquals(0, emulator.loadCount("qwen2.5-7b-instruct"));
    }

    @Test
    void unloadsEveryInstanceOfAModel() {
        when().post("/admin/models/qwen2.5-7b-instruct/unload").then().statusCode(200)
                .body("status", equalTo("unloaded"))
                .body("instances", contains("qwen2.5-7b-instruct"));
        assertEquals(List.of(), emulator.loadedInstances("qwen2.5-7b-instruct"));
        when().get("/admin/models").then().body("data.find { it.id == 'qwen2.5-7b-instruct' }.state", equalTo("not-loaded"));
    }

    @Test
    void aLoadWithAContextLengthIsNotSwallowedByALoadUnderWayWithout() {
        emulator.loadDelay(Duration.ofMillis(300));
        CompletableFuture<Integer> plain = CompletableFuture.supplyAsync(() -> when().post("/admin/models/phi-3-mini/load").statusCode());
        Eventually.await("the first load to start", Duration.ofSeconds(5), () -> emulator.loadCount("phi-3-mini") == 1);
        given().contentType("application/json").body("{\"context_length\": 2048}")
                .post("/admin/models/phi-3-mini/load").then().statusCode(200)
                .body("model.instances.contextLength", contains(4096, 2048));
        assertEquals(200, plain.join());
        assertEquals(List.of("phi-3-mini", "phi-3-mini:2"), emulator.loadedInstances("phi-3-mini"));
    }

    @Test
    void unloadingAnInstanceIdUnloadsOnlyThatInstance() {
        given().contentType("application/json").body("{\"context_length\": 2048}")
                .post("/admin/models/qwen2.5-7b-instruct/load").then().statusCode(200);
        when().post("/admin/models/qwen2.5-7b-instruct:2/unload").then().statusCode(200)
                .body("instances", contains("qwen2.5-7b-instruct:2"));
        assertEquals(List.of("qwen2.5-7b-instruct"), emulator.loadedInstances("qwen2.5-7b-instruct"));
    }

    @Test
    void aListingThatReadLmStudioBeforeAnUnloadEndedDoesNotUndoIt() {
        emulator.unloadDelay(Duration.ofMillis(600));
        CompletableFuture<Integer> unload = CompletableFuture.supplyAsync(
                () -> when().post("/admin/models/qwen2.5-7b-instruct/unload").statusCode());
        Eventually.await("the unload to reach LM Studio", Duration.ofSeconds(5),
                () -> emulator.requestCount("/api/v1/models/unload") == 1);
        emulator.listingDelay(Duration.ofMillis(900)); // this listing sees the model loaded and answers after the unload
        String stateListed = when().post("/admin/models/refresh").then().statusCode(200)
                .extract().path("data.find { it.id == 'qwen2.5-7b-instruct' }.state");
        assertEquals(200, unload.join());
        assertEquals("not-loaded", stateListed);
        when().get("/admin/models").then().body("data.find { it.id == 'qwen2.5-7b-instruct' }.state", equalTo("not-loaded"));
    }

    @Test
    void anUnknownModelIs404() {
        when().post("/admin/models/no-such-model/load").then().statusCode(404)
                .body("error.code", equalTo("model_not_found"))
                .body("error.message", containsString("lms get no-such-model"));
        when().post("/admin/models/no-such-model/unload").then().statusCode(404);
    }

    @Test
    void unloadingAModelThatIsNotLoadedIs409() {
        when().post("/admin/models/phi-3-mini/unload").then().statusCode(409).body("error.code", equalTo("model_not_loaded"));
    }

    @Test
    void aServerWithoutTheLoadApiIs501WithWhatToDoInstead() {
        emulator.shape(Shape.LMSTUDIO_0_3);
        when().post("/admin/models/phi-3-mini/load").then().statusCode(501)
                .body("error.code", equalTo("load_api_unavailable"))
                .body("error.message", containsString("lms load"));
        when().post("/admin/models/qwen2.5-7b-instruct/unload").then().statusCode(501);
        assertEquals(0, emulator.requestCount("/api/v1/models/load"));
    }

    @ParameterizedTest
    @EnumSource(value = Shape.class, names = {"GENERIC_OPENAI", "LLAMA_CPP", "LMSTUDIO_0_3"})
    void aModelTheServerDoesNotListIs404EvenWithoutTheLoadApi(Shape shape) {
        emulator.shape(shape);
        when().post("/admin/models/no-such-model/load").then().statusCode(404)
                .body("error.code", equalTo("model_not_found"))
                .body("error.message", containsString("no-such-model"));
        when().post("/admin/models/no-such-model/unload").then().statusCode(404).body("error.code", equalTo("model_not_found"));
        when().post("/admin/models/qwen2.5-7b-instruct/load").then().statusCode(501) // listed: only the load API is missing
                .body("error.code", equalTo("load_api_unavailable"));
        assertEquals(0, emulator.requestCount("/api/v1/models/load"));
    }

    @Test
    void aBadLoadBodyIs400() {
        given().contentType("application/json").body("{\"context_length\": -5}")
                .post("/admin/models/phi-3-mini/load").then().statusCode(400).body("error.param", equalTo("context_length"));
        given().contentType("application/json").body("[1,2")
                .post("/admin/models/phi-3-mini/load").then().statusCode(400).body("error.code", equalTo("invalid_json"))
                .body("error.message", equalTo("The body of a load must be a JSON object, {\"context_length\": 8192}, or nothing."));
        given().contentType("application/json").body("{\"context_length\": 2048}{\"x\": 1}")
                .post("/admin/models/phi-3-mini/load").then().statusCode(400).body("error.code", equalTo("invalid_json"));
        given().contentType("application/json").body("{\"ctx\": 2048}")
                .post("/admin/models/phi-3-mini/load").then().statusCode(400).body("error.param", equalTo("ctx"));
        given().contentType("application/json").body("{\"context_length\": \"" + "x".repeat(5000) + "\"}")
                .post("/admin/models/phi-3-mini/load").then().statusCode(413).body("error.code", equalTo("request_too_large"));
        assertEquals(0, emulator.loadCount("phi-3-mini"));
    }

    @Test
    void aWrongMethodOrAnUnknownAdminPathIsAnOpenAiError() {
        when().get("/admin/models/phi-3-mini/load").then().statusCode(405)
                .header("Allow", "POST")
                .body("error.code", equalTo("method_not_allowed"))
                .body("error.message", equalTo("GET is not allowed on /admin/models/phi-3-mini/load; use POST."));
        when().delete("/admin/models").then().statusCode(405).header("Allow", "GET");
        when().get("/admin/nothing-here").then().statusCode(404).body("error.code", equalTo("unknown_endpoint"));
        assertEquals(0, emulator.loadCount("phi-3-mini"));
    }

    @Test
    void aModelKeyWithASlashIsOneModel() {
        emulator.addModel("qwen/qwen3-4b", "llm", 2_500_000_000L, "4B", "Q4_K_M", 32768, false);
        when().post("/admin/models/qwen/qwen3-4b/load").then().statusCode(200).body("model.id", equalTo("qwen/qwen3-4b"));
        assertEquals(List.of("qwen/qwen3-4b"), emulator.loadedInstances("qwen/qwen3-4b"));
    }

    @Test
    void unloadIsRefusedWith409WhileARequestIsInFlight() {
        emulator.tokensPerResponse(20);
        emulator.tokenDelay(Duration.ofMillis(50));
        CompletableFuture<String> stream = CompletableFuture.supplyAsync(
                () -> ChatRequests.post("qwen2.5-7b-instruct", true).statusCode(200).extract().asString());
        Eventually.await("the stream to reach LM Studio", Duration.ofSeconds(5), () -> emulator.activeGenerations() == 1);
        when().post("/admin/models/qwen2.5-7b-instruct/unload").then().statusCode(409)
                .body("error.code", equalTo("model_in_use"))
                .body("error.message", containsString("1 request(s) in flight"));
        assertEquals(List.of("qwen2.5-7b-instruct"), emulator.loadedInstances("qwen2.5-7b-instruct"));
        assertTrue(stream.join().strip().endsWith("data: [DONE]"));
        Eventually.await("the stream's hold on the model to end", Duration.ofSeconds(5),
                () -> when().post("/admin/models/qwen2.5-7b-instruct/unload").statusCode() == 200);
        assertEquals(List.of(), emulator.loadedInstances("qwen2.5-7b-instruct"));
    }
}
