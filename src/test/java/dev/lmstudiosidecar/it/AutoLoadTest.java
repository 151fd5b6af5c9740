package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.when;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.SidecarClients;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * lmstudio.auto-load-models: a request for a model LM Studio has but not in memory waits for one
 * load the sidecar makes, shared by every request that needs it, instead of racing LM Studio's JIT.
 */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class AutoLoadTest extends EmulatedLmStudioTest {

    private static final String MODEL = "mistral-7b-instruct-v0.3";

    @TestHTTPResource("/")
    URL sidecar;

    @Test
    void twentyConcurrentRequestsForAnUnloadedModelCauseExactlyOneLoad() throws Exception {
        emulator.addModel(MODEL, "llm", 4_100_000_000L, "7B", "Q4_K_M", 32768, false);
        emulator.loadDelay(Duration.ofMillis(400)); // long enough for all twenty to arrive while it loads
        when().post("/admin/models/refresh").then().statusCode(200);
        OpenAIClient client = SidecarClients.openAi(sidecar);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<ChatCompletion>> answers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                answers.add(pool.submit(() -> client.chat().completions().create(
                        ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Hi").build())));
            }
            for (Future<ChatCompletion> answer : answers) {
                assertEquals(MODEL, answer.get().model());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, emulator.loadCount(MODEL));
        assertEquals(List.of(MODEL), emulator.loadedInstances(MODEL));
        assertEquals(20, emulator.completedGenerations());
    }

    @Test
    void anUnloadedModelIsLoadedForTheRequestEvenWithJitOff() {
        emulator.jitLoading(false);
        when().post("/admin/models/refresh").then().statusCode(200);
        ChatRequests.post("phi-3-mini", false).statusCode(200)
                .header("X-Sidecar-Model", "phi-3-mini")
                .header("X-Sidecar-Fallback", nullValue())
                .header("X-Sidecar-Attempts", "1")
                .body("model", equalTo("phi-3-mini"));
        assertEquals(1, emulator.loadCount("phi-3-mini"));
    }

    @Test
    void aModelTheStaleListingCallsUnloadedButIsLoadedIsNotLoadedTwice() {
        when().post("/admin/models/refresh").then().statusCode(200); // phi-3-mini: not loaded
        emulator.addModel("phi-3-mini", "llm", 2_390_000_000L, "3.8B", "Q4_K_M", 4096, true); // loaded behind the sidecar's back
        ChatRequests.post("phi-3-mini", false).statusCode(200);
        assertEquals(List.of("phi-3-mini"), emulator.loadedInstances("phi-3-mini"));
        assertEquals(0, emulator.requestCount("/api/v1/models/load"));
    }

    @Test
    void aLoadLmStudioRefusedIsNotTriedAgainByEveryRequest() {
        // A model of its own: the refusal holds its loads back for a listing interval, beyond this test.
        emulator.addModel("gemma-2-9b-it", "llm", 5_400_000_000L, "9B", "Q4_K_M", 8192, false);
        emulator.refuseLoads(true);
        when().post("/admin/models/refresh").then().statusCode(200);
        for (int i = 0; i < 3; i++) {
            ChatRequests.post("gemma-2-9b-it", false).statusCode(200).header("X-Sidecar-Fallback", "qwen2.5-7b-instruct");
        }
        assertEquals(1, emulator.requestCount("/api/v1/models/load"), "one refusal holds the next loads back");
        when().post("/admin/models/gemma-2-9b-it/load").then().statusCode(502); // an operator may try again at once
        assertEquals(2, emulator.requestCount("/api/v1/models/load"));
    }
}
