package dev.lmstudiosidecar.testsupport.emulator;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;

/** The one shared ObjectMapper and the small JSON chores every handler needs. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Parses a request body; null when it is not a JSON object (the caller answers 400). */
    static ObjectNode parseObject(Buffer body) {
        try {
            JsonNode node = MAPPER.readTree(body.getBytes());
            return node instanceof ObjectNode o ? o : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A JSON string literal, quotes included; used where chunks are built by hand for speed. */
    static String quote(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void send(HttpServerResponse response, int status, JsonNode body) {
        if (response.closed() || response.ended()) {
            return; // the client left while we were waiting (load delay); nothing to answer
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .end(Buffer.buffer(bytes(body)));
    }

    /** Whitespace-separated words: a deterministic stand-in for a tokenizer. */
    static int words(String text) {
        if (text == null) {
            return 0;
        }
        String t = text.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }
}
