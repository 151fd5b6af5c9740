package dev.lmstudiosidecar.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmstudiosidecar.cache.ResponseCache;
import dev.lmstudiosidecar.cache.ResponseStore;

/** {@code GET /admin/cache}: the cache's tiers, and what it did for the requests so far. */
final class CacheView {

    private final ObjectMapper json;

    CacheView(ObjectMapper json) {
        this.json = json;
    }

    ObjectNode render(ResponseCache cache) {
        ResponseStore.StoreStats stats = cache.stats();
        long hits = cache.counted(ResponseCache.Result.HIT);
        long misses = cache.counted(ResponseCache.Result.MISS);
        ObjectNode body = json.createObjectNode();
        body.put("enabled", cache.enabled());
        body.put("mode", cache.mode().name().toLowerCase(java.util.Locale.ROOT));
        ObjectNode memory = body.putObject("memory");
        memory.put("entries", stats.memoryEntries());
        memory.put("bytes", stats.memoryBytes());
        ObjectNode persistent = body.putObject("persistent");
        persistent.put("available", stats.persistentAvailable());
        persistent.put("entries", stats.persistentEntries());
        persistent.put("bytes", stats.persistentBytes());
        body.put("hits", hits);
        body.put("misses", misses);
        body.put("bypasses", cache.counted(ResponseCache.Result.BYPASS));
        body.put("hitRatio", hits + misses == 0 ? 0.0 : Math.round(1000.0 * hits / (hits + misses)) / 1000.0);
        body.put("evictions", stats.evictions());
        return body;
    }

    ObjectNode removed(String model, long count) {
        ObjectNode body = json.createObjectNode();
        body.put("removed", count);
        if (model != null) {
            body.put("model", model);
        }
        return body;
    }
}
