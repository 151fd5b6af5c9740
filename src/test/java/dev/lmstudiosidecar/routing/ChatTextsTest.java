package dev.lmstudiosidecar.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTextsTest {

    private static List<ChatText> read(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return ChatTexts.fromBody(body, 0, body.length);
    }

    @Test
    void messagesWithStringContent() {
        assertEquals(List.of(new ChatText("system", "be brief"), new ChatText("user", "héllo")),
                read("""
                        {"model":"m","temperature":0.2,"messages":[
                          {"role":"system","content":"be brief"},
                          {"role":"user","name":"ann","content":"h\\u00e9llo"}],
                         "metadata":{"messages":[{"role":"user","content":"not a message"}]}}
                        """));
    }

    @Test
    void theTextPartsOfAContentArrayAreJoinedByANewline() {
        assertEquals(List.of(new ChatText("user", "look at this\nand this")),
                read("""
                        {"messages":[{"content":[
                          {"type":"text","text":"look at this"},
                          {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},
                          {"type":"input_audio","text":"not text"},
                          "stray",
                          {"text":"and this","type":"text"}],
                         "role":"user"}]}
                        """));
    }

    @Test
    void aMissingOrNullContentIsAnEmptyText() {
        assertEquals(List.of(new ChatText("assistant", ""), new ChatText("user", ""), new ChatText("", "no role")),
                read("""
                        {"messages":[
                          {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","function":{"name":"f"}}]},
                          {"role":"user"},
                          {"content":"no role"},
                          42]}
                        """));
    }

    @Test
    void aCompletionsPromptString() {
        assertEquals(List.of(new ChatText("user", "once upon a time")), read("{\"model\":\"m\",\"prompt\":\"once upon a time\"}"));
    }

    @Test
    void aCompletionsPromptArrayIsOneUserMessagePerString() {
        assertEquals(List.of(new ChatText("user", "first"), new ChatText("user", "second")),
                read("{\"prompt\":[\"first\",[1,2,3],7,\"second\"],\"max_tokens\":5}"));
        assertEquals(List.of(), read("{\"prompt\":[1,2,3]}"));
        assertEquals(List.of(), read("{\"prompt\":null,\"messages\":null}"));
    }

    @Test
    void aSliceOfAnArrayIsRead() {
        byte[] padded = "xx{\"prompt\":\"hi\"}yy".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of(new ChatText("user", "hi")), ChatTexts.fromBody(padded, 2, padded.length - 4));
    }

    @Test
    void aMalformedBodyGivesWhatWasReadWithoutThrowing() {
        // cut inside the second message's content: the first is kept
        assertEquals(List.of(new ChatText("user", "write a story")),
                read("{\"messages\":[{\"role\":\"user\",\"content\":\"write a story\"},{\"role\":\"user\",\"content\":\"unterm"));
        // content read whole before the body broke off: kept
        assertEquals(List.of(new ChatText("user", "a"), new ChatText("user", "b")),
                read("{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"user\",\"content\":\"b\","));
        // a wrong bracket after two whole messages
        assertEquals(List.of(new ChatText("system", "be brief"), new ChatText("user", "hi")),
                read("{\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hi\"}}"));
        assertEquals(List.of(), read("nope"));
        assertEquals(List.of(), read("[{\"role\":\"user\",\"content\":\"hi\"}]"));
        assertEquals(List.of(), read(""));
        assertEquals(List.of(), read("{\"messages\":[{\"role\":"));
    }

    @Test
    void aLongTextKeepsOnlyItsTwoEndsWhenAskedAndAShortOneIsWhole() {
        String longText = "start " + "x".repeat(10_000) + " end";
        byte[] body = ("{\"messages\":[{\"role\":\"user\",\"content\":\"" + longText + "\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + longText + "\"}]},"
                + "{\"role\":\"user\",\"content\":\"short\"}],\"prompt\":\"" + longText + "\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String ends = longText.substring(0, 100) + "\n" + longText.substring(longText.length() - 100);
        java.util.List<ChatText> texts = ChatTexts.fromBody(body, 0, body.length, 100);
        assertEquals(java.util.List.of(new ChatText("user", ends), new ChatText("user", ends), new ChatText("user", "short"),
                new ChatText("user", ends)), texts);
        assertEquals(longText, ChatTexts.fromBody(body, 0, body.length).get(0).text(), "without a bound, the whole text");
    }
}
