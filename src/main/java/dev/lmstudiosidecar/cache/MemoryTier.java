package dev.lmstudiosidecar.cache;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.infinispan.AdvancedCache;
import org.infinispan.commons.util.CloseableIterator;
import org.infinispan.context.Flag;
import org.infinispan.manager.DefaultCacheManager;

/**
 * The memory tier: a heap-only Infinispan cache bounded in bytes, least recently used entries removed when
 * it is full. Its operations never touch a disk, so their async forms complete at once on the calling
 * thread; only the whole-tier scans ({@link #forEach}) are left to the store's own threads.
 */
final class MemoryTier {

    private final DefaultCacheManager manager;
    private final AdvancedCache<String, byte[]> cache;

    MemoryTier(long maxBytes) {
        manager = new DefaultCacheManager(Tiers.global("sidecar-cache-memory").build(), false);
        manager.defineConfiguration(Tiers.CACHE_NAME, Tiers.memory(maxBytes).build());
        manager.start();
        AdvancedCache<String, byte[]> started = manager.<String, byte[]>getCache(Tiers.CACHE_NAME).getAdvancedCache();
        cache = started.withFlags(Flag.IGNORE_RETURN_VALUES);
    }

    CompletableFuture<byte[]> get(String key) {
        // The flag only changes what writes return: reads return the value as always.
        return cache.getAsync(key);
    }

    CompletableFuture<Void> put(String key, byte[] value, long lifespanMillis) {
        return cache.putAsync(key, value, lifespanMillis, TimeUnit.MILLISECONDS).thenApply(previous -> null);
    }

    CompletableFuture<Void> remove(String key) {
        return cache.removeAsync(key).thenApply(previous -> null);
    }

    CompletableFuture<Void> clear() {
        return cache.clearAsync();
    }

    /** Every live entry; it walks the whole tier, so it runs on the store's threads. */
    void forEach(BiConsumer<String, byte[]> action) {
        try (CloseableIterator<Map.Entry<String, byte[]>> entries = cache.entrySet().iterator()) {
            while (entries.hasNext()) {
                Map.Entry<String, byte[]> entry = entries.next();
                action.accept(entry.getKey(), entry.getValue());
            }
        }
    }

    /** Entries held, expired ones not yet reaped included (counting only live ones would walk them all). */
    long entries() {
        return cache.getDataContainer().sizeIncludingExpired();
    }

    /** What the entries weigh by Infinispan's own estimate: the figure its byte bound is kept against. */
    long bytes() {
        return cache.getDataContainer().evictionSize();
    }

    long evictions() {
        return cache.getStats().getEvictions();
    }

    void close() {
        manager.stop();
    }
}
