package dev.lmstudiosidecar.provider.lmstudio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailure.Kind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LMStudioErrorReaderTest {

    private final LMStudioErrorReader reader = new LMStudioErrorReader(new ObjectMapper());
    private final Backend backend = Backend.of("lmstudio", "http://127.0.0.1:1234/v1");

    private UpstreamFailure read(int status, String body) {
        return reader.read(backend, status, body.getBytes(StandardCharsets.UTF_8)).orElseThrow();
    }

    @Test
    void aSuccessfulAnswerIsNoFailure() {
        String completion = "{\"id\":\"c1\",\"choices\":[{\"message\":{\"content\":\"an error-free \\\"error\\\" word\"}}]}";
        assertTrue(reader.read(backend, 200, completion.getBytes(StandardCharsets.UTF_8)).isEmpty());
        assertTrue(reader.read(backend, 200, "plain text".getBytes(StandardCharsets.UTF_8)).isEmpty());
    }

    @Test
    void theUnexpectedEndpointQuirkWith200IsAnUnknownEndpoint() {
        UpstreamFailure failure = read(200, "{\"error\":\"Unexpected endpoint or method. (GET /v1/nothing)\"}");
        assertEquals(Kind.UNKNOWN_ENDPOINT, failure.kind());
        assertEquals(200, failure.upstreamStatus());
    }

    @Test
    void anUnknownModelIsModelNotFoundInEveryErrorShape() {
        assertEquals(Kind.MODEL_NOT_FOUND, read(404, "{\"error\":{\"message\":\"Model \\\"x\\\" not found.\",\"type\":\"invalid_request_error\",\"code\":\"model_not_found\"}}").kind());
        assertEquals(Kind.MODEL_NOT_FOUND, read(400, "{\"error\":\"Model with key 'x' not found.\"}").kind());
        assertEquals(Kind.MODEL_NOT_FOUND, read(404, "{\"error\":{\"message\":\"No model named x\"}}").kind());
    }

    @Test
    void aModelThatIsNotLoadedIsToldApartFromAnUnknownOne() {
        UpstreamFailure failure = read(400, "{\"error\":\"Model 'phi-3-mini' is not loaded.\"}");
        assertEquals(Kind.MODEL_NOT_LOADED, failure.kind());
    }

    @Test
    void otherClientErrorsKeepTheirStatusAndWords() {
        UpstreamFailure failure = read(400, "{\"error\":{\"message\":\"'messages' field is required\",\"param\":\"messages\",\"code\":\"missing\"}}");
        assertEquals(Kind.REJECTED, failure.kind());
        assertEquals("'messages' field is required", failure.message());
        assertEquals("messages", failure.param());
        assertEquals("missing", failure.code());
    }

    @Test
    void serverErrorsAndErrorBodiesWith200AreServerErrors() {
        assertEquals(Kind.SERVER_ERROR, read(500, "{\"error\":\"CUDA out of memory\"}").kind());
        assertEquals(Kind.SERVER_ERROR, read(200, "{\"error\":{\"message\":\"generation crashed\"}}").kind());
    }

    @Test
    void aBodyThatIsNotJsonBecomesTheMessage() {
        UpstreamFailure failure = read(502, "<html>Bad Gateway</html>");
        assertEquals("<html>Bad Gateway</html>", failure.message());
        assertEquals("HTTP 500 with an empty body", read(500, "").message());
    }

    @Test
    void llamaCppsNumericCodeIsDroppedNotTurnedIntoAString() {
        UpstreamFailure failure = read(400, "{\"error\":{\"code\":400,\"message\":\"context too long\",\"type\":\"invalid_request_error\"}}");
        assertEquals(Kind.REJECTED, failure.kind());
        assertEquals(null, failure.code());
        assertEquals("context too long", failure.message());
    }

    @Test
    void aRouteTheServerLacksIsAnUnknownEndpointInLlamaCppsAndVllmsWords() {
        assertEquals(Kind.UNKNOWN_ENDPOINT, read(404, "{\"error\":{\"code\":404,\"message\":\"File Not Found\",\"type\":\"not_found_error\"}}").kind());
        UpstreamFailure fastApi = read(404, "{\"detail\":\"Not Found\"}");
        assertEquals(Kind.UNKNOWN_ENDPOINT, fastApi.kind());
        assertEquals("Not Found", fastApi.message());
        assertEquals(Kind.MODEL_NOT_FOUND, read(404, "{\"error\":{\"message\":\"Model \\\"x\\\" not found.\"}}").kind(),
                "a model that is not found is no missing route");
    }
}
