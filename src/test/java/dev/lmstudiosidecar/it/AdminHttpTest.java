package dev.lmstudiosidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.RawHttpConnection;
import dev.lmstudiosidecar.testsupport.RawHttpConnection.Answer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every admin answer carries X-Request-Id, and an ordinary refusal leaves the connection open for the next call. */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class AdminHttpTest extends EmulatedLmStudioTest {

    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");

    @TestHTTPResource("/")
    URL sidecar;

    /** Sends the request on a new connection, checks its answer, then that the same connection answers the next call. */
    private Answer answeredThenReused(String method, String path, String body, int status) throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(sidecar)) {
            Answer answer = connection.send(method, path, JSON, body);
            assertEquals(status, answer.status(), answer.body());
            assertNull(answer.header("Connection"), method + " " + path + " asked to close the connection");
            assertNotNull(answer.header("X-Request-Id"), method + " " + path + " has no X-Request-Id");
            Answer next = connection.send("GET", "/admin/models", Map.of(), null);
            assertEquals(200, next.status(), "the connection did not serve the next call after " + method + " " + path);
            return answer;
        }
    }

    @Test
    void ordinaryRefusalsKeepTheConnectionOpen() throws Exception {
        answeredThenReused("POST", "/admin/models/no-such-model/load", "{}", 404);
        answeredThenReused("POST", "/admin/models/no-such-model/unload", "{}", 404);
        answeredThenReused("POST", "/admin/models/phi-3-mini/unload", "{}", 409);
        answeredThenReused("POST", "/admin/models/phi-3-mini/load", "{\"ctx\": 2048}", 400);
        answeredThenReused("POST", "/admin/models/phi-3-mini/load", "[1,2", 400);
        answeredThenReused("GET", "/admin/models/phi-3-mini/load", null, 405);
        answeredThenReused("DELETE", "/admin/models", "{\"all\": true}", 405);
        answeredThenReused("POST", "/admin/nothing-here", "{}", 404);
        assertEquals(0, emulator.loadCount("phi-3-mini"));
    }

    @Test
    void aBodyACallDoesNotTakeIsDroppedAndTheConnectionServesTheNextCall() throws Exception {
        answeredThenReused("POST", "/admin/models/refresh", "{}", 200);
        answeredThenReused("POST", "/admin/models/qwen2.5-7b-instruct/unload", "{}", 200);
    }

    @Test
    void theCallersRequestIdIsEchoedOnSuccessesAndErrors() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(sidecar)) {
            Map<String, String> withId = Map.of("X-Request-Id", "admin-call-42");
            assertEquals("admin-call-42", connection.send("GET", "/admin/models", withId, null).header("X-Request-Id"));
            assertEquals("admin-call-42", connection.send("GET", "/admin/resources", withId, null).header("X-Request-Id"));
            assertEquals("admin-call-42", connection.send("POST", "/admin/models/refresh", withId, null).header("X-Request-Id"));
            Answer refused = connection.send("POST", "/admin/models/no-such-model/load", withId, null);
            assertEquals(404, refused.status());
            assertEquals("admin-call-42", refused.header("X-Request-Id"));
        }
    }

    @Test
    void withoutOneEachAnswerGetsANewRequestId() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(sidecar)) {
            String first = connection.send("GET", "/admin/models", Map.of(), null).header("X-Request-Id");
            String second = connection.send("POST", "/admin/models/phi-3-mini/unload", Map.of(), null).header("X-Request-Id");
            assertTrue(first != null && first.matches("[0-9a-f]{32}"), first);
            assertTrue(second != null && second.matches("[0-9a-f]{32}"), second);
            assertFalse(first.equals(second));
        }
    }

    @Test
    void anOversizedLoadBodyIsRefusedWithARequestId() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(sidecar)) {
            Answer refused = connection.send("POST", "/admin/models/phi-3-mini/load", JSON,
                    "{\"context_length\": \"" + "x".repeat(5000) + "\"}");
            assertEquals(413, refused.status(), refused.body());
            assertNotNull(refused.header("X-Request-Id"));
        }
    }
}
