package dev.lmstudiosidecar.api;

import dev.lmstudiosidecar.models.TaskType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class OpenAiRequestParserTest {

    private final OpenAiRequestParser parser = new OpenAiRequestParser();

    private OpenAiRequest parse(OpenAiEndpoint endpoint, String body) {
        return parse(endpoint, body, Map.of());
    }

    private OpenAiRequest parse(OpenAiEndpoint endpoint, String body, Map<String, String> headers) {
        Map<String, String> caseInsensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        caseInsensitive.putAll(headers);
        return parser.parse(endpoint, body.getBytes(StandardCharsets.UTF_8), caseInsensitive::get);
    }

    private ApiError rejected(OpenAiEndpoint endpoint, String body) {
        return assertThrows(ApiException.class, () -> parse(endpoint, body)).error();
    }

    @Test
    void aValidChatBodyIsForwardedAsTheSameBytes() {
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"tools\":[{\"type\":\"function\"}],\"ttl\":300,\"temperature\":0.70,\"stream\":true}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OpenAiRequest request = parser.parse(OpenAiEndpoint.CHAT_COMPLETIONS, bytes, name -> null);
        assertEquals(null, request.rewrittenBody(), "untouched bodies are forwarded as sent");
        assertEquals("m", request.model());
        assertTrue(request.stream());
        assertFalse(request.wantsRouting());
    }

    @Test
    void hintFieldsAreTakenOutAndEverythingElseKept() {
        OpenAiRequest request = parse(OpenAiEndpoint.CHAT_COMPLETIONS,
                "{\"model\":\"auto\",\"task_type\":\"coding\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                        + "\"fallback_to_cloud\":false,\"preferred_provider\":\"lmstudio\",\"temperature\":0.10,\"seed\":12345678901234}");
        assertEquals("{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":0.10,\"seed\":12345678901234}",
                new String(request.rewrittenBody(), StandardCharsets.UTF_8));
        assertEquals(Optional.of(TaskType.CODING), request.hints().taskType());
        assertEquals(Optional.of(false), request.hints().fallbackToCloud());
        assertEquals(Optional.of("lmstudio"), request.hints().preferredProvider());
        assertTrue(request.wantsRouting());
    }

    @Test
    void headerHintsWinOverBodyHints() {
        OpenAiRequest request = parse(OpenAiEndpoint.CHAT_COMPLETIONS,
                "{\"model\":\"auto\",\"task_type\":\"coding\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                Map.of("x-sidecar-task-type", "Creative", "X-Sidecar-Fallback-To-Cloud", "true"));
        assertEquals(Optional.of(TaskType.CREATIVE), request.hints().taskType());
        assertEquals(Optional.of(true), request.hints().fallbackToCloud());
        assertTrue(request.wantsRouting(), "\"auto\" asks for routing");
    }

    @Test
    void malformedJsonIsRefusedWithTheParsersWords() {
        ApiError error = rejected(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"messages\": [");
        assertEquals(400, error.status());
        assertEquals("invalid_json", error.code());
        assertTrue(error.message().startsWith("We could not parse the JSON body"), error.message());
        assertEquals("invalid_json", rejected(OpenAiEndpoint.CHAT_COMPLETIONS, "{} {}").code());
        assertEquals("invalid_json", rejected(OpenAiEndpoint.CHAT_COMPLETIONS, "").code());
        assertTrue(rejected(OpenAiEndpoint.CHAT_COMPLETIONS, "[1]").message().contains("the body is an array, not an object"));
        assertTrue(rejected(OpenAiEndpoint.CHAT_COMPLETIONS, "{} {}").message().contains("there is more after the JSON object"));
    }

    @Test
    void missingOrEmptyRequiredFieldsNameTheField() {
        ApiError missing = rejected(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"m\"}");
        assertEquals("messages", missing.param());
        assertTrue(missing.message().startsWith("'messages' is required"), missing.message());
        assertEquals("messages", rejected(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"messages\":[]}").param());
        assertEquals("prompt", rejected(OpenAiEndpoint.COMPLETIONS, "{\"prompt\":\"\"}").param());
        assertEquals("prompt", rejected(OpenAiEndpoint.COMPLETIONS, "{\"model\":\"m\"}").param());
        assertEquals("input", rejected(OpenAiEndpoint.EMBEDDINGS, "{\"input\":[]}").param());
        assertEquals("input", rejected(OpenAiEndpoint.EMBEDDINGS, "{\"input\":null}").param());
    }

    @Test
    void aChatOrCompletionWithoutAModelIsRouted() {
        for (String body : new String[] {"{\"messages\":[{\"role\":\"user\"}]}", "{\"model\":null,\"messages\":[{\"role\":\"user\"}]}"}) {
            assertTrue(parse(OpenAiEndpoint.CHAT_COMPLETIONS, body).wantsRouting(), body);
        }
        assertTrue(parse(OpenAiEndpoint.COMPLETIONS, "{\"prompt\":\"x\"}").wantsRouting());
    }

    @Test
    void anEmbeddingWithoutAModelOrWithAutoIsRefusedNamingIt() {
        ApiError missing = rejected(OpenAiEndpoint.EMBEDDINGS, "{\"input\":\"x\"}");
        assertEquals("model", missing.param());
        assertEquals("invalid_value", missing.code());
        assertEquals("'model' is required: name an embedding model from GET /v1/models.", missing.message());
        assertEquals("'auto' routes chat and completions only: name an embedding model from GET /v1/models.",
                rejected(OpenAiEndpoint.EMBEDDINGS, "{\"model\":\"auto\",\"input\":\"x\"}").message());
    }

    @Test
    void autoWithATaskRoutesForThatTaskAndAnUnknownTaskIsRefused() {
        OpenAiRequest coding = parse(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"auto:coding\",\"messages\":[{\"role\":\"user\"}]}");
        assertTrue(coding.wantsRouting());
        assertEquals(Optional.of(TaskType.CODING), coding.routedTask());
        assertEquals(Optional.empty(), parse(OpenAiEndpoint.CHAT_COMPLETIONS,
                "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\"}]}").routedTask());
        ApiError unknown = rejected(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"auto:poetry\",\"messages\":[{\"role\":\"user\"}]}");
        assertEquals("model", unknown.param());
        assertEquals("'auto:poetry' names no task: use one of auto, auto:coding, auto:research, auto:creative, "
                + "auto:analysis, auto:general.", unknown.message());
    }

    @Test
    void wrongTypesAreRefusedSayingWhatWasSent() {
        assertEquals("'messages' must be an array of messages, not a string.",
                rejected(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"messages\":\"hi\"}").message());
        assertEquals("'model' must be a string, not a number.",
                rejected(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":7,\"messages\":[{\"role\":\"user\"}]}").message());
        assertEquals("'stream' must be true or false, not a string.",
                rejected(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"stream\":\"yes\",\"messages\":[{\"role\":\"user\"}]}").message());
        assertEquals("messages[1]", rejected(OpenAiEndpoint.CHAT_COMPLETIONS,
                "{\"messages\":[{\"role\":\"user\"},{\"content\":\"no role\"}]}").param());
        assertEquals("input", rejected(OpenAiEndpoint.EMBEDDINGS, "{\"input\":{\"text\":\"x\"}}").param());
        assertEquals("task_type", rejected(OpenAiEndpoint.CHAT_COMPLETIONS,
                "{\"task_type\":\"poetry\",\"messages\":[{\"role\":\"user\"}]}").param());
    }

    @Test
    void aSliceOfALargerArrayIsReadWithinItsBounds() {
        byte[] framed = "xx{\"input\":\"\"}{\"model\":\"m\",\"input\":\"t\"}yy".getBytes(StandardCharsets.UTF_8);
        assertEquals("input", assertThrows(ApiException.class, () ->
                parser.parse(OpenAiEndpoint.EMBEDDINGS, framed, 2, 12, name -> null)).error().param());
        assertEquals("m", parser.parse(OpenAiEndpoint.EMBEDDINGS, framed, 14, 25, name -> null).model());
    }

    @Test
    void nullRequiredFieldsAndNullHintsCountAsAbsent() {
        assertEquals("prompt", rejected(OpenAiEndpoint.COMPLETIONS, "{\"prompt\":null}").param());
        OpenAiRequest request = parse(OpenAiEndpoint.COMPLETIONS, "{\"model\":\"m\",\"prompt\":[1,2],\"task_type\":null,\"fallback_to_cloud\":null}");
        assertEquals(RequestHints.NONE, request.hints());
    }

    @Test
    void badHintHeadersAreRefused() {
        ApiException e = assertThrows(ApiException.class, () -> parse(OpenAiEndpoint.CHAT_COMPLETIONS,
                "{\"messages\":[{\"role\":\"user\"}]}", Map.of("X-Sidecar-Fallback-To-Cloud", "maybe")));
        assertEquals(RequestHints.FALLBACK_TO_CLOUD_HEADER, e.error().param());
    }

    @Test
    void routesWithoutABodyContractPassTheBytesThrough() {
        byte[] anything = "not json at all".getBytes(StandardCharsets.UTF_8);
        OpenAiRequest request = parser.parse(OpenAiEndpoint.PASS_THROUGH, anything, name -> null);
        assertEquals(null, request.rewrittenBody());
        assertFalse(request.wantsRouting());
    }

    @Test
    void theErrorObjectIsOpenAisShape() {
        ApiError error = ApiError.invalidRequest("messages", "a \"quoted\" word");
        assertEquals("{\"error\":{\"message\":\"a \\\"quoted\\\" word\",\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":\"invalid_value\"}}",
                error.toJson());
        assertEquals("{\"error\":{\"message\":\"m\",\"type\":\"server_error\",\"param\":null,\"code\":\"internal_error\"}}",
                ApiError.internal("m").toJson());
    }

    private final OpenAiRequestParser measuring = new OpenAiRequestParser(true);

    private OpenAiRequest measured(OpenAiEndpoint endpoint, String body) {
        return measuring.parse(endpoint, body.getBytes(StandardCharsets.UTF_8), name -> null);
    }

    @Test
    void aStreamIsAskedForItsUsageByAddingTheFieldInFront() {
        OpenAiRequest request = measured(OpenAiEndpoint.CHAT_COMPLETIONS,
                "  {\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.70}");
        assertTrue(request.addsStreamUsage());
        assertEquals("  {\"stream_options\":{\"include_usage\":true},\"model\":\"m\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.70}",
                new String(request.rewrittenBody(), StandardCharsets.UTF_8));
        OpenAiRequest completion = measured(OpenAiEndpoint.COMPLETIONS, "{\"model\":\"m\",\"prompt\":\"p\",\"stream\":true}");
        assertTrue(completion.addsStreamUsage());
    }

    @Test
    void aStreamThatAskedForUsageItselfIsLeftAlone() {
        String body = "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\"}]}";
        OpenAiRequest request = measured(OpenAiEndpoint.CHAT_COMPLETIONS, body);
        assertFalse(request.addsStreamUsage());
        assertEquals(null, request.rewrittenBody());
    }

    @Test
    void otherStreamOptionsAndHintsAreKeptWhenUsageIsAdded() {
        OpenAiRequest request = measured(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"stream\":true,\"task_type\":\"coding\","
                + "\"stream_options\":{\"include_usage\":false,\"x\":1},\"messages\":[{\"role\":\"user\"}]}");
        assertTrue(request.addsStreamUsage());
        assertEquals("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true,\"x\":1},"
                + "\"messages\":[{\"role\":\"user\"}]}", new String(request.rewrittenBody(), StandardCharsets.UTF_8));
        byte[] original = "{\"model\":\"m\",\"stream\":true,\"messages\":[]}".getBytes(StandardCharsets.UTF_8);
        assertEquals("{\"model\":\"other\",\"stream\":true,\"messages\":[],\"stream_options\":{\"include_usage\":true}}",
                new String(measuring.withModel(original, 0, original.length, "other", true), StandardCharsets.UTF_8),
                "a fallback's body asks too");
    }

    @Test
    void anIncludeUsageThatIsNoBooleanIsSteppedOverWhole() {
        OpenAiRequest request = measured(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":{\"a\":[1,2]},\"x\":1},\"messages\":[{\"role\":\"user\"}]}");
        assertEquals("m", request.model());
        assertTrue(request.addsStreamUsage(), "an object is not a yes");
    }

    @Test
    void plainAnswersEmbeddingsAndAnUnmeasuredSidecarAskForNothing() {
        assertFalse(measured(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}").addsStreamUsage());
        assertFalse(measured(OpenAiEndpoint.EMBEDDINGS, "{\"model\":\"m\",\"input\":\"x\",\"stream\":true}").addsStreamUsage());
        OpenAiRequest unmeasured = parse(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\"}]}");
        assertFalse(unmeasured.addsStreamUsage());
        assertEquals(null, unmeasured.rewrittenBody());
    }

    /** Found by OpenAiRequestParserFuzzTest: the body passed, then the rewrite (and the cache key) threw NumberFormatException, a 500. */
    @Test
    void aNumberNoDecimalCanHoldIsRefusedWhereverItIs() {
        for (String body : new String[] {
                "{\"messages\":[{\"role\":\"user\"}],\"task_type\":\"coding\",\"temperature\":1e99999999999}",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"x\":-2.5E-99999999999}]}]}",
                "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"n\":1e99999999999},\"messages\":[{\"role\":\"user\"}]}"}) {
            ApiError error = rejected(OpenAiEndpoint.CHAT_COMPLETIONS, body);
            assertEquals(400, error.status());
            assertEquals("invalid_json", error.code());
            assertTrue(error.message().contains("is out of range"), error.message());
        }
        ApiError prompt = rejected(OpenAiEndpoint.COMPLETIONS, "{\"model\":\"m\",\"prompt\":[[1,2],[3e99999999999]]}");
        assertEquals("invalid_json", prompt.code());
    }

    @Test
    void ordinaryFractionsAndExponentsStillPass() {
        OpenAiRequest request = parse(OpenAiEndpoint.CHAT_COMPLETIONS,
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":0.7,\"top_p\":1e-3,\"x\":[1.5E+300]}");
        assertEquals("m", request.model());
    }

    /** Found by OpenAiRequestParserFuzzTest: a body ending just inside the prompt's string read past the array, a 500. */
    @Test
    void aBodyCutRightAfterTheOpeningQuoteOfTheRequiredStringIs400() {
        ApiError error = rejected(OpenAiEndpoint.COMPLETIONS, "{\"model\":\"m\",\"prompt\":\"");
        assertEquals(400, error.status());
        assertEquals("invalid_json", error.code());
    }

    /** Found by CacheKeyFuzzTest: bytes that are not UTF-8 in a string the scan stepped over broke the rewrite, a 500. */
    @Test
    void aBodyThatIsNotUtf8Is400WhereverTheBytesAre() {
        byte[] head = "{\"model\":\"m\",\"task_type\":\"coding\",\"messages\":[{\"role\":\"user\",\"content\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\"}]}".getBytes(StandardCharsets.UTF_8);
        for (byte[] wrong : new byte[][] {{(byte) 0xED, (byte) 0xA0, (byte) 0xBD}, {(byte) 0xFF}, {(byte) 0xC0, (byte) 0xAF}}) {
            byte[] body = new byte[head.length + wrong.length + tail.length];
            System.arraycopy(head, 0, body, 0, head.length);
            System.arraycopy(wrong, 0, body, head.length, wrong.length);
            System.arraycopy(tail, 0, body, head.length + wrong.length, tail.length);
            ApiException refused = assertThrows(ApiException.class, () -> parser.parse(OpenAiEndpoint.CHAT_COMPLETIONS, body, name -> null));
            assertEquals(400, refused.error().status());
            assertEquals("invalid_json", refused.error().code());
            assertTrue(refused.error().message().contains("not UTF-8"), refused.error().message());
        }
    }
}
