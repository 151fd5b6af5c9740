package dev.lmstudiosidecar.metrics;

import java.time.Duration;
import java.util.Arrays;

/**
 * Histogram bucket bounds, fixed and few: an LLM call lasts from milliseconds (an embedding, a
 * cached answer) to minutes (a long generation, a model loaded on first use), and Micrometer's
 * percentile histograms would give each series some 70 buckets, most of them below a millisecond.
 * Where the OpenTelemetry GenAI conventions advise bounds they are used, extended to minutes.
 */
final class Buckets {

    /** OpenTelemetry's advice for gen_ai.client.operation.duration, then 2.7 and 5.5 minutes. */
    static final Duration[] OPERATION = seconds(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24,
            20.48, 40.96, 81.92, 163.84, 327.68);

    /** OpenTelemetry's advice for gen_ai.server.time_to_first_token, then up to 5 minutes (JIT loads). */
    static final Duration[] TIME_TO_FIRST_TOKEN = seconds(0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5,
            0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 30.0, 60.0, 120.0, 300.0);

    /** OpenTelemetry's advice for gen_ai.server.time_per_output_token, with 1 and 5 ms for fast local models. */
    static final Duration[] TIME_PER_OUTPUT_TOKEN = seconds(0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2,
            0.3, 0.4, 0.5, 0.75, 1.0, 2.5);

    /** OpenTelemetry's advice for gen_ai.client.token.usage, up to a million tokens. */
    static final double[] TOKENS = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576};

    /** A model load: a small model in half a second, a large one in minutes. */
    static final Duration[] MODEL_LOAD = seconds(0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0);

    private Buckets() {
    }

    private static Duration[] seconds(double... bounds) {
        return Arrays.stream(bounds).mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9))).toArray(Duration[]::new);
    }
}
