package dev.lmstudiosidecar.testsupport.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What arrived: counts per path and the most recent requests. Bounded, because a benchmark pushes
 * millions of requests through the same emulator.
 */
final class RequestLog {

    static final int CAPACITY = 1000;
    /** Guards the per-path counters against a flood of distinct (e.g. fuzzed) paths. */
    private static final int MAX_PATHS = 10_000;

    private final ConcurrentLinkedDeque<RecordedRequest> recent = new ConcurrentLinkedDeque<>();
    private final AtomicInteger recentSize = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    void record(HttpServerRequest request, Buffer body) {
        String path = request.path();
        AtomicInteger count = counts.get(path);
        if (count == null && counts.size() < MAX_PATHS) {
            count = counts.computeIfAbsent(path, p -> new AtomicInteger());
        }
        if (count != null) {
            count.incrementAndGet();
        }
        recent.addLast(new RecordedRequest(request.method().name(), request.uri(), headersOf(request), body.getBytes()));
        if (recentSize.incrementAndGet() > CAPACITY && recent.pollFirst() != null) {
            recentSize.decrementAndGet();
        }
    }

    private static Map<String, String> headersOf(HttpServerRequest request) {
        Map<String, String> headers = new HashMap<>();
        for (String name : request.headers().names()) {
            headers.put(name, String.join(", ", request.headers().getAll(name)));
        }
        return headers;
    }

    int count(String path) {
        AtomicInteger count = counts.get(path);
        return count == null ? 0 : count.get();
    }

    List<RecordedRequest> snapshot() {
        return new ArrayList<>(recent);
    }

    RecordedRequest last(String path) {
        for (Iterator<RecordedRequest> it = recent.descendingIterator(); it.hasNext(); ) {
            RecordedRequest r = it.next();
            if (r.pathWithoutQuery().equals(path)) {
                return r;
            }
        }
        return null;
    }

    void clear() {
        recent.clear();
        recentSize.set(0);
        counts.clear();
    }
}
