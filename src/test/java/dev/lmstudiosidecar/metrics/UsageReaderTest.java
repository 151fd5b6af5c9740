package dev.lmstudiosidecar.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UsageReaderTest {

    private final UsageReader reader = new UsageReader();

    private UsageReader.Usage read(String json) {
        byte[] bytes = ("xx" + json + "yy").getBytes(StandardCharsets.UTF_8);
        return reader.read(bytes, 2, bytes.length - 4);
    }

    @Test
    void aChatAnswerGivesItsModelAndTokensWhereverUsageStands() {
        UsageReader.Usage usage = read("{\"id\":\"x\",\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17},"
                + "\"choices\":[{\"message\":{\"content\":\"a \\\"usage\\\": {} inside\"}}],\"model\":\"qwen\"}");
        assertEquals(new UsageReader.Usage("qwen", 12, 5, false), usage);
    }

    @Test
    void embeddingsHaveInputTokensOnly() {
        UsageReader.Usage usage = read("{\"object\":\"list\",\"data\":[{\"embedding\":[0.1,0.2]}],\"model\":\"nomic\","
                + "\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}");
        assertEquals(3, usage.inputTokens());
        assertEquals(-1, usage.outputTokens());
        assertTrue(usage.hasTokens());
    }

    @Test
    void theUsageOnlyChunkIsTold() {
        assertTrue(read("{\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}").usageOnly());
        assertTrue(read("{\"usage\":{\"input_tokens\":1,\"output_tokens\":2}}").usageOnly(), "no choices at all");
        UsageReader.Usage content = read("{\"choices\":[{\"delta\":{\"content\":\"x\"}},2],\"usage\":null}");
        assertFalse(content.usageOnly());
        assertFalse(content.hasTokens());
        assertFalse(read("{\"choices\":[{\"delta\":{}}],\"usage\":{\"prompt_tokens\":1}}").usageOnly(),
                "a chunk with a choice and usage keeps its choice");
    }

    @Test
    void whatIsNoObjectGivesNothing() {
        assertNull(read("[1,2]"));
        assertNull(read("{\"usage\":{\"prompt_tokens\":"));
        assertNull(read("[DONE]"));
    }
}
