package dev.lmstudiosidecar.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads the token counts from an answer: the top-level {@code usage} (and {@code model}) of a
 * non-streamed body, or of one stream chunk. It walks the tokens of the top level only and skips
 * everything else unread ({@code choices} with the generated text is stepped over, its strings
 * never decoded), so an answer costs a pass over its bytes and no tree. Thread-safe.
 */
public final class UsageReader {

    /**
     * @param model        the answer's {@code model}, or null
     * @param inputTokens  {@code usage.prompt_tokens} (or {@code input_tokens}), -1 when absent
     * @param outputTokens {@code usage.completion_tokens} (or {@code output_tokens}), -1 when absent
     * @param usageOnly    the answer carries a usage object and no choice: the extra chunk a stream ends with when
     *                     asked to include usage
     */
    public record Usage(String model, long inputTokens, long outputTokens, boolean usageOnly) {
        public boolean hasTokens() {
            return inputTokens >= 0 || outputTokens >= 0;
        }
    }

    private final JsonFactory json = new JsonFactory();

    /** @return null when the bytes are no JSON object */
    public Usage read(byte[] bytes, int offset, int length) {
        try (JsonParser p = json.createParser(bytes, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String model = null;
            long input = -1;
            long output = -1;
            boolean usage = false;
            boolean choices = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "model" -> model = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "choices" -> {
                        choices = value == JsonToken.START_ARRAY && p.nextToken() != JsonToken.END_ARRAY;
                        p.skipChildren(); // from the first element, or the END_ARRAY already reached: either way past it
                        if (choices) {
                            skipRestOfArray(p);
                        }
                    }
                    case "usage" -> {
                        if (value == JsonToken.START_OBJECT) {
                            usage = true;
                            long[] counts = counts(p);
                            input = counts[0];
                            output = counts[1];
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            return new Usage(model, input, output, usage && !choices);
        } catch (IOException notJson) {
            return null;
        }
    }

    private static void skipRestOfArray(JsonParser p) throws IOException {
        while (p.nextToken() != JsonToken.END_ARRAY) {
            p.skipChildren();
        }
    }

    /** Inside {@code usage}: {prompt or input tokens, completion or output tokens}. */
    private static long[] counts(JsonParser p) throws IOException {
        long[] counts = {-1, -1};
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            boolean number = value == JsonToken.VALUE_NUMBER_INT;
            switch (field) {
                case "prompt_tokens", "input_tokens" -> counts[0] = number ? p.getLongValue() : -1;
                case "completion_tokens", "output_tokens" -> counts[1] = number ? p.getLongValue() : -1;
                default -> p.skipChildren();
            }
        }
        return counts;
    }
}
