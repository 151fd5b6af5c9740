package dev.lmstudiosidecar.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;

/**
 * The cache's one way to read and write JSON: Jackson tokens and trees only, never data binding
 * to our classes (binding needs reflection metadata in a native image). Thread-safe.
 */
final class CacheJson {

    /**
     * Numbers as BigDecimal, kept exact: an answer written back keeps every number as it was sent. Strings of any
     * length: a request's size is bounded before (sidecar.max-request-body), and a prompt the request parser passed
     * must get its key here (Jackson's default stops at 20M characters).
     */
    static final ObjectMapper TREES = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build()).build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    static final JsonFactory TOKENS = TREES.getFactory();

    private CacheJson() {
    }

    /** Jackson's words without its excerpt of the source (which may be a whole prompt). */
    static String describe(IOException e) {
        return e instanceof JsonProcessingException json ? json.getOriginalMessage() : String.valueOf(e.getMessage());
    }
}
