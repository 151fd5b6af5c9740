package dev.lmstudiosidecar.testsupport.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request as the emulator received it, so tests can assert what the sidecar really sent upstream
 * (forwarded fields, stripped hints, headers).
 *
 * @param method  HTTP method, e.g. {@code POST}
 * @param path    path including the query string
 * @param headers headers; lookups ignore case, repeated headers are joined with ", "
 * @param body    the raw body (a copy is returned, so the record stays immutable)
 */
public record RecordedRequest(String method, String path, Map<String, String> headers, byte[] body) {

    public RecordedRequest {
        TreeMap<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(headers);
        headers = Collections.unmodifiableMap(copy);
        body = body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The body parsed as JSON; fails loudly because a test asking for JSON expects JSON. */
    public JsonNode bodyJson() {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("body is not JSON: " + bodyAsString(), e);
        }
    }

    /** Case-insensitive header lookup; null when absent. */
    public String header(String name) {
        return headers.get(name);
    }

    public String pathWithoutQuery() {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    @Override
    public String toString() {
        return method + " " + path + " " + bodyAsString();
    }
}
