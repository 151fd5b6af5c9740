package dev.lmstudiosidecar.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RequestMetricsTest {

    private static final long MS = 1_000_000L;

    private final AtomicLong now = new AtomicLong();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PerformanceTracker tracker = new PerformanceTracker(Duration.ofMinutes(5), now::get, 10);
    private final RequestMetrics metrics = RequestMetrics.on(registry, new ModelTags(100, Set.of("qwen", "phi")::contains),
            tracker, now::get);

    @Test
    void aStreamRecordsDurationTokensTimeToFirstTokenAndTimePerToken() {
        RequestObservation stream = metrics.start(GenAiOperation.CHAT);
        stream.requested("qwen");
        now.addAndGet(100 * MS);
        stream.firstChunk();
        now.addAndGet(400 * MS);
        stream.usage("qwen", 7, 5);
        metrics.record(stream, "qwen", "lmstudio", Outcome.SUCCESS, ErrorTypes.NONE);

        var duration = registry.get("gen_ai.client.operation.duration").tag("gen_ai.operation.name", "chat")
                .tag("gen_ai.request.model", "qwen").tag("gen_ai.response.model", "qwen").tag("gen_ai.provider.name", "lmstudio")
                .tag("error.type", "").timer();
        assertEquals(1, duration.count());
        assertEquals(500, duration.totalTime(TimeUnit.MILLISECONDS), 1e-6);
        assertEquals(7, registry.get("gen_ai.client.token.usage").tag("gen_ai.token.type", "input").summary().totalAmount());
        assertEquals(5, registry.get("gen_ai.client.token.usage").tag("gen_ai.token.type", "output").summary().totalAmount());
        assertEquals(100, registry.get("gen_ai.server.time_to_first_token").timer().totalTime(TimeUnit.MILLISECONDS), 1e-6);
        assertEquals(100, registry.get("gen_ai.server.time_per_output_token").timer().totalTime(TimeUnit.MILLISECONDS), 1e-6,
                "4 tokens after the first in 400 ms");
        assertEquals(1, registry.get("sidecar.requests").tag("outcome", "success").counter().count());
        assertEquals(1, tracker.snapshot().get(0).requests());
    }

    @Test
    void anErrorCarriesItsTypeAndNoAnswerMeters() {
        RequestObservation failed = metrics.start(GenAiOperation.TEXT_COMPLETION);
        failed.requested("made-up");
        metrics.record(failed, "made-up", "lmstudio", Outcome.CLIENT_ERROR, ErrorTypes.of(404, "model_not_found"));
        var duration = registry.get("gen_ai.client.operation.duration").timer();
        assertEquals("model_not_found", duration.getId().getTag("error.type"));
        assertEquals(ModelTags.OTHER, duration.getId().getTag("gen_ai.request.model"), "an unlisted name that never answered");
        assertEquals(ModelTags.NONE, duration.getId().getTag("gen_ai.response.model"));
        assertEquals(1, registry.get("sidecar.requests").tag("outcome", "client_error").counter().count());
        assertTrue(registry.find("gen_ai.client.token.usage").meters().isEmpty());
        assertTrue(registry.find("gen_ai.server.time_to_first_token").meters().isEmpty());
    }

    @Test
    void aNonStreamedAnswerHasNoTimeToFirstTokenAndEmbeddingsNoOutputTokens() {
        RequestObservation embedding = metrics.start(GenAiOperation.EMBEDDINGS);
        embedding.requested("nomic");
        embedding.usage("nomic", 3, -1);
        metrics.record(embedding, "nomic", "lmstudio", Outcome.SUCCESS, ErrorTypes.NONE);
        assertEquals("nomic", registry.get("gen_ai.client.operation.duration").timer().getId().getTag("gen_ai.request.model"),
                "a model that answered is real");
        assertEquals(1, registry.find("gen_ai.client.token.usage").meters().size());
        assertTrue(registry.find("gen_ai.server.time_to_first_token").meters().isEmpty());
    }

    @Test
    void retriesAndFallbacksAreCountedWithBoundedNames() {
        metrics.retried("lmstudio", "qwen");
        metrics.fellBack("lmstudio", "qwen", "lmstudio", "phi");
        metrics.fellBack("lmstudio", "phi", "cloud", "gpt-4o");
        assertEquals(1, registry.get("sidecar.retries").tag("gen_ai.request.model", "qwen").counter().count());
        assertEquals(1, registry.get("sidecar.fallbacks").tag("from", "qwen").tag("to", "phi").counter().count());
        assertEquals(1, registry.get("sidecar.fallbacks").tag("from", "phi").tag("to", "cloud:other").counter().count());
    }

    @Test
    void offRecordsNothing() {
        RequestMetrics off = RequestMetrics.off();
        assertFalse(off.enabled());
        assertNull(off.start(GenAiOperation.CHAT));
        off.retried("lmstudio", "qwen");
        off.fellBack("lmstudio", "qwen", "lmstudio", "phi");
        assertTrue(registry.getMeters().isEmpty());
    }

    @Test
    void seriesBeyondTheBoundFoldTheirModels() {
        RequestMetrics wide = RequestMetrics.on(registry, new ModelTags(10_000, name -> true), tracker, now::get);
        for (int i = 0; i < GenAiMeters.MAX_SERIES + 50; i++) {
            RequestObservation request = wide.start(GenAiOperation.CHAT);
            request.requested("m" + i);
            wide.record(request, "m" + i, "lmstudio", Outcome.SUCCESS, ErrorTypes.NONE);
        }
        long series = registry.find("gen_ai.client.operation.duration").meters().size();
        assertEquals(GenAiMeters.MAX_SERIES + 1, series);
        assertEquals(50, registry.get("gen_ai.client.operation.duration").tag("gen_ai.request.model", ModelTags.OTHER).timer().count());
    }
}
