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
 * The memory tier: a heap-only Infinispan cache. Its operations never touch a disk, so their async forms
 * complete at once on the calling thread; only the whole-tier scans ({@link #forEach}) are left to the
 * store's own threads.
 *
 * <p>Its byte bound is kept by the store's {@link ByteAccount} (least recently used first); Infinispan's own
 * bound sits above it, as a net for what the account does not see.
 */
final class MemoryTier {

    private final DefaultCacheManager manager;
    private final AdvancedCache<String, byte[]> cache;
    /** For puts; removes go through {@link #cache} (see {@link PersistentTier}: a remove must look). */
    private final AdvancedCache<String, byte[]> writer;

    MemoryTier(long maxBytes) {
        manager = new DefaultCacheManager(Tiers.global("sidecar-cache-memory").build(), false);
        manager.defineConfiguration(Tiers.CACHE_NAME, Tiers.memory(maxBytes).build());
        manager.start();
        cache = manager.<String, byte[]>getCache(Tiers.CACHE_NAME).getAdvancedCache();
        writer = cache.withFlags(Flag.IGNORE_RETURN_VALUES);
    }

    CompletableFuture<byte[]> get(String key) {
        return cache.getAsync(key);
    }

    CompletableFuture<Void> put(String key, byte[] value, long lifespanMillis) {
        return writer.putAsync(key, value, lifespanMillis, TimeUnit.MILLISECONDS).thenApply(previous -> null);
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

    /** What the entries weigh by Infinispan's own estimate: the figure its byte bound is kept against. */
    long infinispanBytes() {
        return cache.getDataContainer().evictionSize();
    }

    /** Entries Infinispan's own bound removed (the net above the store's account). */
    long infinispanEvictions() {
        return cache.getStats().getEvictions();
    }

    void close() {
        manager.stop();
    }
}
