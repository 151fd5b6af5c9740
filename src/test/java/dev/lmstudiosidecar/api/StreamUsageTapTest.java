package dev.lmstudiosidecar.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.lmstudiosidecar.metrics.GenAiOperation;
import dev.lmstudiosidecar.metrics.ModelTags;
import dev.lmstudiosidecar.metrics.PerformanceTracker;
import dev.lmstudiosidecar.metrics.RequestMetrics;
import dev.lmstudiosidecar.metrics.RequestObservation;
import dev.lmstudiosidecar.metrics.UsageReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StreamUsageTapTest {

    private static final String CONTENT = "data: {\"id\":\"c\",\"model\":\"qwen\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok0 \"}}]}\n\n";
    private static final String FINISH = "data: {\"id\":\"c\",\"model\":\"qwen\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
    private static final String USAGE = "data: {\"id\":\"c\",\"model\":\"qwen\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":6,\"total_tokens\":10}}\n\n";
    private static final String DONE = "data: [DONE]\n\n";

    private final RequestObservation observation = RequestMetrics.on(new SimpleMeterRegistry(), new ModelTags(10, name -> true),
            new PerformanceTracker(Duration.ofMinutes(5), System::nanoTime, 10), System::nanoTime).start(GenAiOperation.CHAT);

    private String relay(StreamUsageTap tap, String... chunks) {
        StringBuilder client = new StringBuilder();
        for (String chunk : chunks) {
            client.append(tap.onChunk(Buffer.buffer(chunk)).toString());
        }
        Buffer rest = tap.flush();
        return rest == null ? client.toString() : client.append(rest).toString();
    }

    @Test
    void theUsageChunkTheClientDidNotAskForIsTakenOutAndCounted() {
        StreamUsageTap tap = new StreamUsageTap(new UsageReader(), observation, true);
        assertEquals(CONTENT + FINISH + DONE, relay(tap, CONTENT, FINISH, USAGE, DONE));
        assertEquals(4, observation.inputTokens());
        assertEquals(6, observation.outputTokens());
    }

    @Test
    void eventsSplitAnywhereOrRunTogetherComeOutWhole() {
        String stream = CONTENT + FINISH + USAGE.replace("\n\n", "\r\n\r\n") + DONE;
        for (int cut = 1; cut < stream.length(); cut++) {
            for (int second = cut + 1; second < stream.length(); second += 37) {
                StreamUsageTap tap = new StreamUsageTap(new UsageReader(), observation, true);
                String seen = relay(tap, stream.substring(0, cut), stream.substring(cut, second), stream.substring(second));
                assertEquals(CONTENT + FINISH + DONE, seen, "cut at " + cut + " and " + second);
            }
        }
        assertEquals(6, observation.outputTokens());
    }

    @Test
    void aClientThatAskedForUsageGetsEveryByteAtOnce() {
        StreamUsageTap tap = new StreamUsageTap(new UsageReader(), observation, false);
        String stream = CONTENT + FINISH + USAGE + DONE;
        Buffer first = Buffer.buffer(stream.substring(0, 200));
        assertSame(first, tap.onChunk(first));
        Buffer second = Buffer.buffer(stream.substring(200));
        assertSame(second, tap.onChunk(second));
        assertNull(tap.flush());
        assertEquals(4, observation.inputTokens(), "read along even when split");
    }

    @Test
    void wholeEventsWithoutUsagePassAsTheSameBuffer() {
        StreamUsageTap tap = new StreamUsageTap(new UsageReader(), observation, true);
        Buffer chunk = Buffer.buffer(CONTENT + FINISH);
        assertSame(chunk, tap.onChunk(chunk));
        assertEquals(0, tap.onChunk(Buffer.buffer("data: {\"choi")).length(), "half an event waits for its end");
        assertEquals("data: {\"choices\":[]}\n\n", tap.onChunk(Buffer.buffer("ces\":[]}\n\n")).toString());
    }

    @Test
    void aStreamThatEndsWithoutItsBlankLineKeepsItsLastBytes() {
        StreamUsageTap tap = new StreamUsageTap(new UsageReader(), observation, true);
        assertEquals(CONTENT + "data: [DONE]", relay(tap, CONTENT, "data: [DONE]"));
    }

    @Test
    void anEventTooLongToHoldEndsTheReadingAndTheStreamGoesOnAsSent() {
        StreamUsageTap tap = new StreamUsageTap(new UsageReader(), observation, true);
        String huge = "data: {\"choices\":[{\"delta\":{\"content\":\"" + "x".repeat(2 * StreamUsageTap.MAX_CARRIED_BYTES) + "\"}}]}\n\n";
        String[] chunks = {CONTENT, huge.substring(0, 40_000), huge.substring(40_000, 70_000), huge.substring(70_000), USAGE, DONE};
        assertEquals(String.join("", chunks), relay(tap, chunks), "every byte, in order, once the tap gave up");
    }

    @Test
    void wholeEventsBeforeAPartialOneGoWithoutACopyOfTheChunk() {
        StreamUsageTap tap = new StreamUsageTap(new UsageReader(), observation, true);
        Buffer chunk = Buffer.buffer(CONTENT + "data: {\"choi");
        Buffer now = tap.onChunk(chunk);
        assertEquals(CONTENT, now.toString());
        assertSame(chunk.getByteBuf().array(), now.getByteBuf().array(), "a slice of the chunk, not a copy");
    }
}
