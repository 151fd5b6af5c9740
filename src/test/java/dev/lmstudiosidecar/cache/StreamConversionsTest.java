package dev.lmstudiosidecar.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StreamConversionsTest {

    /** Shaped like the emulator's (and LM Studio's) non-streamed chat answer. */
    private static final String CHAT_ANSWER = "{\"id\":\"chatcmpl-abc\",\"object\":\"chat.completion\",\"created\":1718000000,"
            + "\"model\":\"qwen2.5-7b-instruct\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"tok0 tok1 \"},"
            + "\"logprobs\":null,\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7},\"system_fingerprint\":\"qwen2.5-7b-instruct\"}";

    private static final String HEAD = "{\"id\":\"chatcmpl-xyz\",\"object\":\"chat.completion.chunk\",\"created\":1718000001,"
            + "\"model\":\"qwen2.5-7b-instruct\",\"system_fingerprint\":\"qwen2.5-7b-instruct\",\"choices\":";

    /** Shaped like the emulator's stream: role chunk, one chunk per token, finish chunk, usage chunk, [DONE]. */
    private static final String CHAT_STREAM = "data: " + HEAD + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n"
            + "data: " + HEAD + "[{\"index\":0,\"delta\":{\"content\":\"tok0 \"},\"logprobs\":null,\"finish_reason\":null}]}\n\n"
            + "data: " + HEAD + "[{\"index\":0,\"delta\":{\"content\":\"tok1 \"},\"logprobs\":null,\"finish_reason\":null}]}\n\n"
            + "data: " + HEAD + "[{\"index\":0,\"delta\":{\"content\":\"tok2 \"},\"logprobs\":null,\"finish_reason\":null}]}\n\n"
            + "data: " + HEAD + "[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"length\"}]}\n\n"
            + "data: " + HEAD + "[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}\n\n"
            + "data: [DONE]\n\n";

    private static final String TOOL_ANSWER = "{\"id\":\"chatcmpl-t\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
            + "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
            + "{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"{}\"}}]},"
            + "\"logprobs\":null,\"finish_reason\":\"tool_calls\"}]}";

    private static final String TEXT_ANSWER = "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":2,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"text\":\"Once upon\",\"logprobs\":null,\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}";

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static JsonNode json(byte[] b) throws IOException {
        return CacheJson.TREES.readTree(b);
    }

    private static JsonNode json(String s) throws IOException {
        return CacheJson.TREES.readTree(s);
    }

    private static List<String> events(byte[] sse) {
        return SseFrames.dataOf(sse);
    }

    @Test
    void aChatAnswerBecomesChunksWithTheSameHead() throws IOException {
        byte[] sse = StreamConversions.toSse(utf8(CHAT_ANSWER));
        String stream = text(sse);
        assertTrue(stream.endsWith("\n\ndata: [DONE]\n\n"), stream);
        List<String> events = events(sse);
        assertEquals(4, events.size(), "content, finish, usage, [DONE]: " + stream);
        for (String event : events.subList(0, 3)) {
            JsonNode chunk = json(event);
            assertEquals("chatcmpl-abc", chunk.path("id").asText());
            assertEquals("chat.completion.chunk", chunk.path("object").asText());
            assertEquals(1718000000, chunk.path("created").asLong());
            assertEquals("qwen2.5-7b-instruct", chunk.path("model").asText());
            assertEquals("qwen2.5-7b-instruct", chunk.path("system_fingerprint").asText());
        }
        JsonNode content = json(events.get(0)).path("choices").path(0);
        assertEquals("assistant", content.path("delta").path("role").asText());
        assertEquals("tok0 tok1 ", content.path("delta").path("content").asText());
        assertTrue(content.path("finish_reason").isNull());
        JsonNode finish = json(events.get(1)).path("choices").path(0);
        assertEquals(0, finish.path("delta").size());
        assertEquals("stop", finish.path("finish_reason").asText());
        JsonNode usage = json(events.get(2));
        assertEquals(0, usage.path("choices").size());
        assertEquals(7, usage.path("usage").path("total_tokens").asInt());
        assertTrue(StreamConversions.isComplete(sse));
    }

    @Test
    void theUsageChunkIsLeftOutWhenTheClientDidNotAskForIt() {
        List<String> events = events(StreamConversions.toSse(utf8(CHAT_ANSWER), false));
        assertEquals(3, events.size());
        assertFalse(events.get(1).contains("usage"));
    }

    @Test
    void aChatAnswerSurvivesTheRoundTrip() throws IOException {
        JsonNode back = json(StreamConversions.toPlain(StreamConversions.toSse(utf8(CHAT_ANSWER))));
        assertEquals(json(CHAT_ANSWER), back, text(StreamConversions.toPlain(StreamConversions.toSse(utf8(CHAT_ANSWER)))));
    }

    @Test
    void aRealShapedStreamBecomesOneAnswer() throws IOException {
        JsonNode answer = json(StreamConversions.toPlain(utf8(CHAT_STREAM)));
        assertEquals("chatcmpl-xyz", answer.path("id").asText());
        assertEquals("chat.completion", answer.path("object").asText());
        assertEquals(1718000001, answer.path("created").asLong());
        assertEquals("qwen2.5-7b-instruct", answer.path("model").asText());
        assertEquals(1, answer.path("choices").size());
        JsonNode choice = answer.path("choices").path(0);
        assertEquals("assistant", choice.path("message").path("role").asText());
        assertEquals("tok0 tok1 tok2 ", choice.path("message").path("content").asText());
        assertEquals("length", choice.path("finish_reason").asText());
        assertEquals(8, answer.path("usage").path("total_tokens").asInt());
        assertEquals(Optional.of("length"), StreamConversions.finishReason(StreamConversions.toPlain(utf8(CHAT_STREAM))));
    }

    @Test
    void crlfFramingAndDataWithoutASpaceAreRead() throws IOException {
        String crlf = CHAT_STREAM.replace("\n", "\r\n").replace("data: ", "data:");
        assertEquals(json(StreamConversions.toPlain(utf8(CHAT_STREAM))), json(StreamConversions.toPlain(utf8(crlf))));
        assertTrue(StreamConversions.isComplete(utf8(crlf)));
    }

    @Test
    void toolCallsSurviveBothWays() throws IOException {
        byte[] sse = StreamConversions.toSse(utf8(TOOL_ANSWER));
        JsonNode delta = json(events(sse).get(0)).path("choices").path(0).path("delta");
        assertEquals(0, delta.path("tool_calls").path(0).path("index").asInt());
        assertEquals(1, delta.path("tool_calls").path(1).path("index").asInt());
        assertEquals("get_weather", delta.path("tool_calls").path(0).path("function").path("name").asText());
        assertEquals(json(TOOL_ANSWER), json(StreamConversions.toPlain(sse)));
    }

    @Test
    void toolCallArgumentsStreamedInPiecesAreJoinedByIndex() throws IOException {
        String head = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":";
        String stream = "data: " + head + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
                + "[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n"
                + "data: " + head + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\\\":\"}}]},\"finish_reason\":null}]}\n\n"
                + "data: " + head + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":\"{}\"}}]},\"finish_reason\":null}]}\n\n"
                + "data: " + head + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"1}\"}}]},\"finish_reason\":null}]}\n\n"
                + "data: " + head + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
                + "data: [DONE]\n\n";
        JsonNode message = json(StreamConversions.toPlain(utf8(stream))).path("choices").path(0).path("message");
        assertTrue(message.path("content").isNull(), "a tool-calling answer keeps content null");
        assertEquals(json("[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}},"
                + "{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":\"{}\"}}]"), message.path("tool_calls"));
        assertTrue(StreamConversions.isComplete(utf8(stream)));
    }

    @Test
    void severalChoicesAreKeptApartByIndex() throws IOException {
        String answer = CHAT_ANSWER.replace("\"finish_reason\":\"stop\"}]",
                "\"finish_reason\":\"stop\"},{\"index\":1,\"message\":{\"role\":\"assistant\",\"content\":\"other\"},\"logprobs\":null,\"finish_reason\":\"length\"}]");
        byte[] sse = StreamConversions.toSse(utf8(answer));
        assertEquals(json(answer), json(StreamConversions.toPlain(sse)));
        assertTrue(StreamConversions.isComplete(sse));
    }

    @Test
    void otherMessageFieldsSuchAsReasoningSurvive() throws IOException {
        String answer = CHAT_ANSWER.replace("\"content\":\"tok0 tok1 \"}", "\"content\":\"42\",\"reasoning_content\":\"think\"}");
        assertEquals(json(answer), json(StreamConversions.toPlain(StreamConversions.toSse(utf8(answer)))));
    }

    @Test
    void textCompletionsSurviveBothWays() throws IOException {
        byte[] sse = StreamConversions.toSse(utf8(TEXT_ANSWER));
        List<String> events = events(sse);
        JsonNode first = json(events.get(0));
        assertEquals("text_completion", first.path("object").asText());
        assertEquals("cmpl-1", first.path("id").asText());
        assertEquals("Once upon", first.path("choices").path(0).path("text").asText());
        assertEquals("stop", json(events.get(1)).path("choices").path(0).path("finish_reason").asText());
        assertEquals(json(TEXT_ANSWER), json(StreamConversions.toPlain(sse)));
        assertTrue(StreamConversions.isComplete(sse));
    }

    @Test
    void aStreamedTextCompletionIsJoined() throws IOException {
        String head = "{\"id\":\"cmpl-2\",\"object\":\"text_completion\",\"created\":3,\"model\":\"m\",\"choices\":";
        String stream = "data: " + head + "[{\"index\":0,\"text\":\"tok0 \",\"logprobs\":null,\"finish_reason\":null}]}\n\n"
                + "data: " + head + "[{\"index\":0,\"text\":\"tok1 \",\"logprobs\":null,\"finish_reason\":null}]}\n\n"
                + "data: " + head + "[{\"index\":0,\"text\":\"\",\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n"
                + "data: [DONE]\n\n";
        JsonNode answer = json(StreamConversions.toPlain(utf8(stream)));
        assertEquals("text_completion", answer.path("object").asText());
        assertEquals("tok0 tok1 ", answer.path("choices").path(0).path("text").asText());
        assertEquals("stop", answer.path("choices").path(0).path("finish_reason").asText());
    }

    @Test
    void chatLogprobsAreJoined() throws IOException {
        String head = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":";
        String stream = "data: " + head + "[{\"index\":0,\"delta\":{\"content\":\"a\"},\"logprobs\":{\"content\":[{\"token\":\"a\",\"logprob\":-0.1}]},\"finish_reason\":null}]}\n\n"
                + "data: " + head + "[{\"index\":0,\"delta\":{\"content\":\"b\"},\"logprobs\":{\"content\":[{\"token\":\"b\",\"logprob\":-0.20}]},\"finish_reason\":\"stop\"}]}\n\n"
                + "data: [DONE]\n\n";
        JsonNode choice = json(StreamConversions.toPlain(utf8(stream))).path("choices").path(0);
        assertEquals("{\"content\":[{\"token\":\"a\",\"logprob\":-0.1},{\"token\":\"b\",\"logprob\":-0.20}]}", choice.path("logprobs").toString(),
                "numbers kept as they were sent");
    }

    @Test
    void aStreamCutBeforeDoneIsNotComplete() {
        String cut = CHAT_STREAM.substring(0, CHAT_STREAM.indexOf("data: [DONE]"));
        assertFalse(StreamConversions.isComplete(utf8(cut)));
        assertFalse(StreamConversions.isComplete(utf8(CHAT_STREAM.substring(0, CHAT_STREAM.length() / 2))), "cut mid-event");
        assertFalse(StreamConversions.isComplete(new byte[0]));
    }

    @Test
    void aStreamWithoutFinishReasonIsNotComplete() {
        String noFinish = CHAT_STREAM.replace("\"finish_reason\":\"length\"", "\"finish_reason\":null");
        assertFalse(StreamConversions.isComplete(utf8(noFinish)));
        assertFalse(StreamConversions.isComplete(utf8("data: [DONE]\n\n")), "no choice at all");
    }

    @Test
    void aStreamWhereOneOfTwoChoicesFinishedIsNotComplete() {
        String second = "data: " + HEAD + "[{\"index\":1,\"delta\":{\"content\":\"x\"},\"finish_reason\":null}]}\n\n";
        assertFalse(StreamConversions.isComplete(utf8(second + CHAT_STREAM)));
    }

    @Test
    void aStreamEndingInAnErrorEventIsNotComplete() {
        String error = CHAT_STREAM.replace("data: [DONE]", "data: {\"error\":{\"message\":\"boom\"}}\n\ndata: [DONE]");
        assertFalse(StreamConversions.isComplete(utf8(error)));
    }

    @Test
    void finishReasonReadsTheFirstChoice() {
        assertEquals(Optional.of("stop"), StreamConversions.finishReason(utf8(CHAT_ANSWER)));
        assertEquals(Optional.of("stop"), StreamConversions.finishReason(utf8(TEXT_ANSWER)));
        assertEquals(Optional.empty(), StreamConversions.finishReason(utf8("{\"object\":\"list\",\"data\":[]}")));
        assertEquals(Optional.empty(), StreamConversions.finishReason(utf8("{\"choices\":[{\"finish_reason\":null}]}")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[1]", "{\"object\":\"list\",\"data\":[]}", "{\"object\":\"chat.completion\"}",
            "{\"object\":\"chat.completion\",\"choices\":[1]}", "{\"object\":\"chat.completion\",\"choices\":[{\"index\":0}]}",
            "{\"object\":\"chat.completion\",\"choices\":[{\"message\":{\"tool_calls\":[3]}}]}", "{\"object\":\"chat.completion\""})
    void malformedAnswersAreRejectedAsIllegalArguments(String answer) {
        assertThrows(IllegalArgumentException.class, () -> StreamConversions.toSse(utf8(answer)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "data: [DONE]\n\n", "data: {not json}\n\n", "data: [1]\n\n", "data: {\"error\":{\"message\":\"x\"}}\n\n",
            "data: {\"object\":\"chat.completion\"}\n\n", "hello", "data: {\"object\":\"chat.completion.chunk\",\"choices\":[1]}\n\n",
            "data: {\"object\":\"chat.completion.chunk\",\"choices\":[]}\n\ndata: {\"object\":\"text_completion\",\"choices\":[]}\n\n",
            "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"delta\":{\"tool_calls\":[\"x\"]}}]}\n\n"})
    void malformedStreamsAreRejectedAsIllegalArguments(String sse) {
        assertThrows(IllegalArgumentException.class, () -> StreamConversions.toPlain(utf8(sse)));
    }

    @Test
    void nullInputIsAnIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> StreamConversions.toSse(null));
        assertThrows(IllegalArgumentException.class, () -> StreamConversions.toPlain(null));
        assertThrows(IllegalArgumentException.class, () -> StreamConversions.isComplete(null));
        assertThrows(IllegalArgumentException.class, () -> StreamConversions.finishReason(null));
    }
}
