package dev.lmstudiosidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.errors.InternalServerException;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An app's SDK at its default retry settings does not multiply the sidecar's own retries: every
 * error the sidecar gives after retrying, or after failing fast on an open breaker, says
 * {@code x-should-retry: false}. (Its own profile: the breaker it opens would fail other tests.)
 */
@QuarkusTest
@TestProfile(SdkRetryStormTest.OneRetryAndAQuickBreaker.class)
@WithTestResource(EmulatorResource.class)
class SdkRetryStormTest extends EmulatedLmStudioTest {

    public static class OneRetryAndAQuickBreaker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lmstudio.retry-attempts", "1",
                    "lmstudio.circuit-breaker.window", "4",
                    "lmstudio.circuit-breaker.minimum-calls", "4",
                    "lmstudio.circuit-breaker.open-duration", "60s");
        }
    }

    @TestHTTPResource("/")
    URL sidecar;

    @AfterEach
    void listenAgain() {
        emulator.refuseConnections(false);
    }

    @Test
    void anSdkAtItsDefaultsGetsEachErrorWithinTheSidecarsOwnRetryBudgetWhileLmStudioIsDown() {
        OpenAIClient app = SidecarClients.openAiAtDefaults(sidecar);
        ChatCompletionCreateParams chat = ChatCompletionCreateParams.builder().model("qwen2.5-7b-instruct").addUserMessage("Hi").build();
        app.chat().completions().create(chat); // the SDK's first call loads its classes: not what is measured
        emulator.refuseConnections(true);
        // The first two calls retry inside the sidecar (20 ms in tests) and open its breaker; the later
        // ones fail fast on it, with a Retry-After of about a minute. Had the SDK retried any of them,
        // it would have waited 1.1 s at the least (its own backoff), or the Retry-After.
        for (int call = 1; call <= 5; call++) {
            long started = System.nanoTime();
            InternalServerException refused = assertThrows(InternalServerException.class, () -> app.chat().completions().create(chat));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertEquals(503, refused.statusCode());
            assertEquals(List.of("false"), refused.headers().values("x-should-retry"), "call " + call);
            assertTrue(tookMillis < 1_000, "call " + call + " took " + tookMillis + " ms: the SDK retried it");
        }
    }
}
