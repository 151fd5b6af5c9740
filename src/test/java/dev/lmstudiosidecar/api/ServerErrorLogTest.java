package dev.lmstudiosidecar.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ServerErrorLogTest {

    private final AtomicLong now = new AtomicLong();
    private final List<String> lines = new ArrayList<>();

    @Test
    void aLineNamesTheRequestTheRouteTheModelAndTheCause() {
        ServerErrorLog log = new ServerErrorLog(5, now::get, lines::add);
        log.log("req-1", "POST", "/v1/chat/completions", "qwen2.5-7b-instruct",
                ApiError.badUpstream("LM Studio at http://localhost:1234/v1 failed (HTTP 500): out of memory"));
        assertEquals(List.of("request req-1 POST /v1/chat/completions model qwen2.5-7b-instruct: 502 bad_upstream_response:"
                + " LM Studio at http://localhost:1234/v1 failed (HTTP 500): out of memory"), lines);
    }

    @Test
    void anOutageWritesAtMostTheLimitAMinuteAndTheNextLineCountsWhatWasLeftOut() {
        ServerErrorLog log = new ServerErrorLog(3, now::get, lines::add);
        for (int i = 0; i < 1000; i++) {
            log.log("req-" + i, "POST", "/v1/chat/completions", null, ApiError.backendUnreachable("down"));
        }
        assertEquals(3, lines.size());
        now.addAndGet(TimeUnit.SECONDS.toNanos(61));
        log.log("req-late", "POST", "/v1/chat/completions", null, ApiError.backendUnreachable("down"));
        assertEquals(4, lines.size());
        assertTrue(lines.get(3).startsWith("request req-late "), lines.get(3));
        assertTrue(lines.get(3).endsWith("(997 earlier such lines left out: at most 3 a minute)"), lines.get(3));
    }

    @Test
    void zeroLinesAMinuteLogsNothing() {
        new ServerErrorLog(0, now::get, lines::add).log("r", "GET", "/v1/models", null, ApiError.backendUnreachable("down"));
        assertEquals(List.of(), lines);
    }
}
