package dev.lmstudiosidecar.it;

import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.Eventually;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A load that outlasts lmstudio.load-timeout sends its request down the fallback chain, and no second
 * copy is started while LM Studio may still be loading the first.
 */
@QuarkusTest
@TestProfile(LoadTimeoutTest.ShortLoadTimeout.class)
@WithTestResource(EmulatorResource.class)
class LoadTimeoutTest extends EmulatedLmStudioTest {

    public static class ShortLoadTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // Wide enough that the second request comes within the load's grace (one more load-timeout)
            // on a busy machine too; the load itself lasts well beyond both.
            return Map.of("lmstudio.load-timeout", "1s");
        }
    }

    @Test
    void aTimedOutLoadFallsBackAndStartsNoSecondCopy() {
        emulator.loadDelay(Duration.ofMillis(3500));
        ChatRequests.post("phi-3-mini", false).statusCode(200).header("X-Sidecar-Fallback", "qwen2.5-7b-instruct");
        ChatRequests.post("phi-3-mini", false).statusCode(200).header("X-Sidecar-Fallback", "qwen2.5-7b-instruct");
        assertEquals(1, emulator.loadCount("phi-3-mini"), "one load, though two requests needed it");
        Eventually.await("LM Studio to finish the load", Duration.ofSeconds(8), () -> emulator.loadedModels().contains("phi-3-mini"));
        ChatRequests.post("phi-3-mini", false).statusCode(200).header("X-Sidecar-Fallback", nullValue());
        assertEquals(1, emulator.loadCount("phi-3-mini"));
        assertEquals(List.of("phi-3-mini"), emulator.loadedInstances("phi-3-mini"));
    }
}
