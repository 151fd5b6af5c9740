package dev.lmstudiosidecar.metrics;

import java.util.function.LongSupplier;

/**
 * What one request reveals on its way through, gathered by the relays and recorded once when it
 * ends ({@link RequestMetrics#record}). Not thread-safe: one request, one event loop.
 */
public final class RequestObservation {

    private final GenAiOperation operation;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private String requestModel;
    private long firstChunkNanos = -1;
    private String responseModel;
    private long inputTokens = -1;
    private long outputTokens = -1;

    RequestObservation(GenAiOperation operation, LongSupplier nanoClock) {
        this.operation = operation;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
    }

    /** The model the request asked for, once its body was read. */
    public void requested(String model) {
        requestModel = model;
    }

    /** A stream's first chunk arrived: the time to first token, as the client sees it. Later calls change nothing. */
    public void firstChunk() {
        if (firstChunkNanos < 0) {
            firstChunkNanos = nanoClock.getAsLong();
        }
    }

    /** The answer's {@code usage} (and {@code model}, when it names one); -1 for a count it does not give. */
    public void usage(String model, long input, long output) {
        if (model != null) {
            responseModel = model;
        }
        if (input >= 0) {
            inputTokens = input;
        }
        if (output >= 0) {
            outputTokens = output;
        }
    }

    GenAiOperation operation() {
        return operation;
    }

    String requestModel() {
        return requestModel;
    }

    long startNanos() {
        return startNanos;
    }

    /** When the first chunk of a stream arrived; -1 for an answer that was not streamed. */
    long firstChunkNanos() {
        return firstChunkNanos;
    }

    /** The model the answer names itself, or null. */
    public String responseModel() {
        return responseModel;
    }

    public long inputTokens() {
        return inputTokens;
    }

    public long outputTokens() {
        return outputTokens;
    }
}
