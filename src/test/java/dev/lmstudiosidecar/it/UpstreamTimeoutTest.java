package dev.lmstudiosidecar.it;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import dev.lmstudiosidecar.testsupport.Eventually;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An LM Studio that stops answering, before or after it started, is a 504 or an error event: never a hang. */
@QuarkusTest
@TestProfile(UpstreamTimeoutTest.ShortTimeout.class)
@WithTestResource(EmulatorResource.class)
class UpstreamTimeoutTest extends EmulatedLmStudioTest {

    public static class ShortTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lmstudio.timeout", "500ms", "lmstudio.stream-idle-timeout", "500ms", "lmstudio.retry-attempts", "1");
        }
    }


    @Test
    void aRequestThatHangsOnEveryAttemptIs504NamingTheSetting() {
        serveOnly("qwen2.5-7b-instruct", true);
        emulator.hangNext(2);
        ChatRequests.post("qwen2.5-7b-instruct", false).statusCode(504).contentType(ContentType.JSON)
                .header("X-Sidecar-Attempts", "2")
                .header("x-should-retry", "false")
                .body("error.code", equalTo("upstream_timeout"))
                .body("error.message", containsString("lmstudio.timeout"));
    }

    @Test
    void aPlainAnswerThatStallsAfterItsHeadersIsRetried() {
        emulator.stallAfter(0);
        ChatRequests.post("qwen2.5-7b-instruct", false).statusCode(200)
                .header("X-Sidecar-Attempts", "2")
                .body("choices[0].message.content", equalTo("tok0 tok1 tok2 tok3 tok4 "));
    }

    @Test
    void aStreamThatStallsMidwayEndsWithAnErrorEventAndNoDone() {
        emulator.tokensPerResponse(10);
        emulator.stallAfter(3);
        String sse = ChatRequests.post("qwen2.5-7b-instruct", true).statusCode(200).extract().asString();
        assertEquals(3, sse.lines().filter(line -> line.startsWith("data: {\"id\"")).count(), sse);
        assertTrue(sse.contains("\"code\":\"upstream_timeout\""), sse);
        assertTrue(sse.contains("lmstudio.stream-idle-timeout"), sse);
        assertFalse(sse.contains("[DONE]"), sse);
        Eventually.await("the stalled upstream request is reset", Duration.ofSeconds(5), () -> emulator.activeGenerations() == 0);
    }
}
