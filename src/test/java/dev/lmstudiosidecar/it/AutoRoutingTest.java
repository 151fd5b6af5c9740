package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.PrometheusScrape;
import dev.lmstudiosidecar.testsupport.SidecarClients;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.net.URL;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code model: "auto"} end to end: an official OpenAI client asks for "auto", the sidecar classifies the
 * messages, picks among the models the emulator has, says why in its headers, and falls back to the
 * alternatives when the chosen model fails.
 */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class AutoRoutingTest extends EmulatedLmStudioTest {

    private static final String CHAT = "/v1/chat/completions";
    /** Inferred from its name as a coding model; the emulator's other chat models are not. */
    private static final String CODER = "qwen2.5-coder-7b-instruct";
    private static final String GENERALIST = "qwen2.5-7b-instruct";
    private static final String CODING_PROMPT = "Please debug this function: the class does not compile, implement the fix.";

    @TestHTTPResource("/")
    URL sidecar;

    private OpenAIClient openAi;

    @BeforeEach
    void addACodingModel() {
        emulator.addModel(CODER, "llm", 4_683_000_000L, "7B", "Q4_K_M", 32768, true);
        RestAssured.when().post("/admin/models/refresh").then().statusCode(200);
        openAi = SidecarClients.openAi(sidecar);
    }

    private static ChatCompletionCreateParams ask(String model, String prompt) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage(prompt).build();
    }

    private static String header(HttpResponseFor<?> response, String name) {
        return response.headers().values(name).get(0);
    }

    @Test
    void aCodingPromptForAutoGoesToTheCodingModelAndTheHeadersSayWhy() {
        HttpResponseFor<ChatCompletion> response = openAi.chat().completions().withRawResponse().create(ask("auto", CODING_PROMPT));
        ChatCompletion completion = response.parse();
        assertEquals(CODER, completion.model());
        assertEquals(CODER, header(response, "X-Sidecar-Model"));
        String task = header(response, "X-Sidecar-Task");
        assertTrue(task.startsWith("coding; confidence="), task);
        String reason = header(response, "X-Sidecar-Route-Reason");
        assertTrue(reason.contains(CODER) && reason.contains("coding"), reason);
        assertTrue(response.headers().values("X-Sidecar-Fallback").isEmpty(), "the chosen model is no stand-in");
        String sent = emulator.lastRequest(CHAT).bodyAsString();
        assertTrue(sent.contains("\"model\":\"" + CODER + "\""), sent);
    }

    @Test
    void aStreamedRequestForAutoIsRoutedTheSameWay() {
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(ask("auto", CODING_PROMPT))) {
            stream.stream().forEach(chunk -> {
                assertEquals(CODER, chunk.model());
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
            });
        }
        assertEquals("tok0 tok1 tok2 tok3 tok4 ", text.toString());
    }

    @Test
    void aTaskNamedInTheModelWinsOverTheClassifier() {
        HttpResponseFor<ChatCompletion> response = openAi.chat().completions().withRawResponse()
                .create(ask("auto:creative", CODING_PROMPT));
        assertEquals("creative; confidence=1.00", header(response, "X-Sidecar-Task"));
        assertEquals(GENERALIST, header(response, "X-Sidecar-Model"), "of the chat models here, only it writes creatively");
    }

    @Test
    void aRequestWithoutAModelIsRouted() {
        given().contentType(ContentType.JSON).body("{\"messages\":[{\"role\":\"user\",\"content\":\"" + CODING_PROMPT + "\"}]}")
                .post(CHAT).then().statusCode(200)
                .header("X-Sidecar-Model", CODER)
                .header("X-Sidecar-Task", containsString("coding"));
    }

    @Test
    void whenTheChosenModelFailsItsAlternativeAnswers() {
        emulator.failNext(4, 500); // every attempt the chosen model gets (the first and lmstudio.retry-attempts=3 more)
        HttpResponseFor<ChatCompletion> response = openAi.chat().completions().withRawResponse().create(ask("auto", CODING_PROMPT));
        String answeredBy = header(response, "X-Sidecar-Model");
        assertFalse(CODER.equals(answeredBy), "the chosen model failed every attempt");
        assertEquals(answeredBy, header(response, "X-Sidecar-Fallback"));
        String reason = header(response, "X-Sidecar-Route-Reason");
        assertTrue(reason.startsWith(answeredBy + " stood in for the chosen model; chosen: " + CODER + " for coding"), reason);
        assertEquals(answeredBy, response.parse().model());
        assertEquals("5", header(response, "X-Sidecar-Attempts"));
    }

    @Test
    void noModelForTheTaskIs503SayingWhyEachModelWasLeftOut() {
        emulator.removeAllModels();
        emulator.addModel("text-embedding-nomic-embed-text-v1.5", "embedding", 84_000_000L, "137M", "Q8_0", 2048, true);
        RestAssured.when().post("/admin/models/refresh").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post(CHAT).then().statusCode(503)
                .header("X-Sidecar-Task", containsString("general"))
                .body("error.code", equalTo("model_unavailable"))
                .body("error.message", containsString("text-embedding-nomic-embed-text-v1.5 (an embedding model)"));
        assertEquals(0, emulator.requestCount(CHAT));
    }

    @Test
    void theDryRunShowsTheChoiceAndEveryScorePartWithoutCallingAModel() {
        Response dryRun = given().contentType(ContentType.JSON)
                .body("{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"" + CODING_PROMPT + "\"}]}")
                .post("/admin/route");
        dryRun.then().statusCode(200)
                .body("routed", equalTo(true))
                .body("task.primary", equalTo("coding"))
                .body("task.explicit", equalTo(false))
                .body("model", equalTo(CODER))
                .body("candidates[0].model", equalTo(CODER))
                .body("candidates.model", hasItem("phi-3-mini"))
                .body("alternatives", hasItem("phi-3-mini"))
                .body("rejected.model", hasItem(GENERALIST))
                .body("rejected.model", hasItem("text-embedding-nomic-embed-text-v1.5"))
                .body("reasoning", containsString(CODER));
        for (String part : List.of("performance", "memoryEfficiency", "latencyMs", "latencyLearned", "latencyScore", "availabilityBonus")) {
            dryRun.then().body("candidates[0].parts", org.hamcrest.Matchers.hasKey(part));
        }
        double score = dryRun.jsonPath().getDouble("candidates[0].score");
        double performance = dryRun.jsonPath().getDouble("candidates[0].parts.performance");
        double memory = dryRun.jsonPath().getDouble("candidates[0].parts.memoryEfficiency");
        double latency = dryRun.jsonPath().getDouble("candidates[0].parts.latencyScore");
        double bonus = dryRun.jsonPath().getDouble("candidates[0].parts.availabilityBonus");
        assertEquals(0.4 * performance + 30 * memory + 20 * latency + 0.1 * bonus, score, 0.01, "the seed's formula");
        assertEquals(0, emulator.requestCount(CHAT), "a dry run calls no model");
    }

    @Test
    void theDryRunOfANamedModelSaysItIsUsedAsAsked() {
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"" + GENERALIST + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Write a story\"}]}")
                .post("/admin/route").then().statusCode(200)
                .body("routed", equalTo(false))
                .body("model", equalTo(GENERALIST))
                .body("task.primary", equalTo("creative"));
    }

    @Test
    void theDryRunRefusesWhatTheApiWouldRefuse() {
        given().contentType(ContentType.JSON).body("{\"model\":\"auto\"}").post("/admin/route").then().statusCode(400)
                .body("error.param", equalTo("messages"));
        given().contentType(ContentType.JSON).body("{\"model\":\"auto:poetry\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").post("/admin/route").then().statusCode(400)
                .body("error.param", equalTo("model"));
        RestAssured.when().get("/admin/route").then().statusCode(405).header("Allow", "POST");
    }

    @Test
    void theModelListOffersAutoBesideLmStudiosModels() {
        List<String> ids = openAi.models().list().data().stream().map(Model::id).toList();
        assertTrue(ids.containsAll(List.of("auto", "auto:coding", "auto:research", "auto:creative", "auto:analysis", "auto:general")), ids.toString());
        assertTrue(ids.containsAll(List.of(GENERALIST, CODER)), ids.toString());
        Model auto = openAi.models().retrieve("auto:coding");
        assertEquals("auto:coding", auto.id());
        assertEquals("lmstudio-sidecar", auto.ownedBy());
    }

    @Test
    void routingDecisionsAreCountedByTaskAndModel() {
        double before = PrometheusScrape.now().sum("sidecar_routing_decisions_total", "task=coding", "model=" + CODER);
        openAi.chat().completions().create(ask("auto", CODING_PROMPT));
        assertEquals(before + 1, PrometheusScrape.now().sum("sidecar_routing_decisions_total", "task=coding", "model=" + CODER));
    }

    @Test
    void theTimeToFirstTokenOfStreamsIsLearnedAndPlainAnswersTeachNothing() {
        String analysis = "{\"model\":\"auto:analysis\",\"stream\":%s,\"messages\":[{\"role\":\"user\",\"content\":\"Interpret this\"}]}";
        for (int i = 0; i < 3; i++) {
            given().contentType(ContentType.JSON).body(String.format(analysis, false)).post(CHAT).then().statusCode(200);
        }
        String dryRun = String.format(analysis, false);
        given().contentType(ContentType.JSON).body(dryRun).post("/admin/route").then()
                .body("candidates.find { it.model == '" + CODER + "' }.parts.latencyLearned", equalTo(false));
        for (int i = 0; i < 3; i++) {
            given().contentType(ContentType.JSON).body(String.format(analysis, true)).post(CHAT).then().statusCode(200);
        }
        given().contentType(ContentType.JSON).body(dryRun).post("/admin/route").then()
                .body("candidates.find { it.model == '" + CODER + "' }.parts.latencyLearned", equalTo(true));
    }

    @Test
    void aNamedModelIsNotRouted() {
        given().contentType(ContentType.JSON).body("{\"model\":\"" + GENERALIST + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + CODING_PROMPT + "\"}]}")
                .post(CHAT).then().statusCode(200)
                .header("X-Sidecar-Model", GENERALIST)
                .header("X-Sidecar-Task", org.hamcrest.Matchers.nullValue());
    }
}
