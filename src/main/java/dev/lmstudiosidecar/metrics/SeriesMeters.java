package dev.lmstudiosidecar.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The meters of one {@link SeriesKey}, registered once and from then on only updated: a request
 * pays for no tag building and no registry lookup. The meters only a successful answer feeds
 * (tokens, time to first token, time per output token) are registered when first fed, so that an
 * embedding or a non-streamed answer leaves no empty series behind.
 */
final class SeriesMeters {

    static final String OPERATION = "gen_ai.operation.name";
    static final String REQUEST_MODEL = "gen_ai.request.model";
    static final String RESPONSE_MODEL = "gen_ai.response.model";
    static final String PROVIDER = "gen_ai.provider.name";
    static final String ERROR_TYPE = "error.type";
    static final String TOKEN_TYPE = "gen_ai.token.type";
    static final String OUTCOME = "outcome";

    /** The OpenTelemetry attributes every gen_ai meter of this series carries. */
    private final Tags answerTags;
    private final Timer duration;
    private final Counter requests;
    private final Lazy<DistributionSummary> inputTokens;
    private final Lazy<DistributionSummary> outputTokens;
    private final Lazy<Timer> timeToFirstToken;
    private final Lazy<Timer> timePerOutputToken;

    SeriesMeters(MeterRegistry registry, SeriesKey key) {
        this.answerTags = Tags.of(OPERATION, key.operation().wireName(), REQUEST_MODEL, key.requestModel(),
                RESPONSE_MODEL, key.responseModel(), PROVIDER, key.provider());
        this.duration = Timer.builder("gen_ai.client.operation.duration")
                .description("Duration of GenAI operations through the sidecar, from the request's arrival to the answer's end")
                .tags(answerTags).tag(ERROR_TYPE, key.errorType())
                .serviceLevelObjectives(Buckets.OPERATION)
                .register(registry);
        this.requests = Counter.builder("sidecar.requests")
                .description("Requests by how they ended: success, client_error, server_error, cancelled")
                .tags(OPERATION, key.operation().wireName(), REQUEST_MODEL, key.requestModel(), PROVIDER, key.provider(),
                        OUTCOME, key.outcome().wireName())
                .register(registry);
        this.inputTokens = new Lazy<>(() -> tokenUsage(registry, "input"));
        this.outputTokens = new Lazy<>(() -> tokenUsage(registry, "output"));
        this.timeToFirstToken = new Lazy<>(() -> Timer.builder("gen_ai.server.time_to_first_token")
                .description("Time from the request's arrival to the first chunk of its stream")
                .tags(answerTags).serviceLevelObjectives(Buckets.TIME_TO_FIRST_TOKEN).register(registry));
        this.timePerOutputToken = new Lazy<>(() -> Timer.builder("gen_ai.server.time_per_output_token")
                .description("Time per output token of a stream after its first chunk")
                .tags(answerTags).serviceLevelObjectives(Buckets.TIME_PER_OUTPUT_TOKEN).register(registry));
    }

    void request(long durationNanos) {
        duration.record(durationNanos, TimeUnit.NANOSECONDS);
        requests.increment();
    }

    void inputTokens(long tokens) {
        inputTokens.get().record(tokens);
    }

    void outputTokens(long tokens) {
        outputTokens.get().record(tokens);
    }

    void timeToFirstToken(long nanos) {
        timeToFirstToken.get().record(nanos, TimeUnit.NANOSECONDS);
    }

    void timePerOutputToken(long nanos) {
        timePerOutputToken.get().record(nanos, TimeUnit.NANOSECONDS);
    }

    private DistributionSummary tokenUsage(MeterRegistry registry, String type) {
        return DistributionSummary.builder("gen_ai.client.token.usage")
                .description("Tokens per request, from the answer's usage")
                .tags(answerTags).tag(TOKEN_TYPE, type)
                .serviceLevelObjectives(Buckets.TOKENS)
                .register(registry);
    }

    /** A meter registered when first fed. Two threads may both register it: the registry hands both the same meter. */
    private static final class Lazy<M> {
        private final Supplier<M> register;
        private volatile M meter;

        Lazy(Supplier<M> register) {
            this.register = register;
        }

        M get() {
            M found = meter;
            if (found == null) {
                meter = found = register.get();
            }
            return found;
        }
    }
}
