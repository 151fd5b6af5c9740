package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.when;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.SidecarClients;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A request for a model idle longer than one health-check interval lists again before it is sent:
 * LM Studio may have evicted the model since the last listing (its idle TTL, another client), and
 * a burst sent as if it were loaded would start one JIT load per request.
 */
@QuarkusTest
@TestProfile(FreshModelStateTest.ShortInterval.class)
@WithTestResource(EmulatorResource.class)
class FreshModelStateTest extends EmulatedLmStudioTest {

    private static final Duration INTERVAL = Duration.ofMillis(500);
    private static final String MODEL = "mistral-7b-instruct-v0.3";
    private static final int BURST = 12;

    /** A short interval, so that "idle longer than one interval" takes half a second. */
    public static class ShortInterval implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lmstudio.health-check-interval", INTERVAL.toMillis() + "ms");
        }
    }

    @TestHTTPResource("/")
    URL sidecar;

    @Test
    void anExternalEvictionFollowedByABurstOf12MakesExactlyOneLoad() throws Exception {
        emulator.addModel(MODEL, "llm", 4_100_000_000L, "7B", "Q4_K_M", 32768, true);
        emulator.loadDelay(Duration.ofMillis(400)); // a JIT load per request would overlap: each starts a copy
        when().post("/admin/models/refresh").then().statusCode(200);
        OpenAIClient client = SidecarClients.openAi(sidecar);
        ExecutorService pool = Executors.newFixedThreadPool(BURST);
        try {
            // In use, then idle. Through the SDK and every pool thread: the burst must reach the sidecar
            // moments after the eviction, before the next periodic listing could tell it.
            List<Future<ChatCompletion>> warmUp = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                warmUp.add(pool.submit(() -> chat(client)));
            }
            for (Future<ChatCompletion> answer : warmUp) {
                answer.get();
            }
            Thread.sleep(INTERVAL.multipliedBy(2).toMillis()); // idle beyond an interval; the periodic listings still find it loaded
            emulator.evict(MODEL); // the sidecar is not told, as with LM Studio's idle TTL or another client's unload

            List<Future<ChatCompletion>> answers = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                answers.add(pool.submit(() -> chat(client)));
            }
            for (Future<ChatCompletion> answer : answers) {
                assertEquals(MODEL, answer.get().model());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, emulator.loadCount(MODEL), "one load for the burst, not one per request");
        assertEquals(List.of(MODEL), emulator.loadedInstances(MODEL));
        assertEquals(2 * BURST, emulator.completedGenerations());
    }

    private static ChatCompletion chat(OpenAIClient client) {
        return client.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Hi").build());
    }
}
