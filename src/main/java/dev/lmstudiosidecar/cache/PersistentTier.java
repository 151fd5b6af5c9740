package dev.lmstudiosidecar.cache;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.infinispan.AdvancedCache;
import org.infinispan.commons.util.CloseableIterator;
import org.infinispan.container.entries.CacheEntry;
import org.infinispan.context.Flag;
import org.infinispan.manager.DefaultCacheManager;

/**
 * The persistent tier: an Infinispan cache written through to a {@code SoftIndexFileStore} under
 * {@code <data-dir>/cache} ({@code answers/data}, {@code answers/index}). Its calls may read or write the
 * disk, so they are blocking and only ever made on the store's own threads.
 *
 * <p>Its byte bound is not Infinispan's (the file store has none): {@link PersistentAccount} keeps it.
 */
final class PersistentTier {

    /** What a scan hands on for each entry: the value and when it expires (epoch ms; Long.MAX_VALUE: unknown). */
    interface EntryVisitor {
        void visit(String key, byte[] value, long expiresMillis);
    }

    private final Path directory;
    private final DefaultCacheManager manager;
    private final AdvancedCache<String, byte[]> cache;
    /**
     * For puts only. Not for removes: a remove that need not return the old value does not load it, and a key
     * not in the (small) in-memory container then counts as absent, and is not removed from the disk.
     */
    private final AdvancedCache<String, byte[]> writer;

    private PersistentTier(Path directory, DefaultCacheManager manager, AdvancedCache<String, byte[]> cache) {
        this.directory = directory;
        this.manager = manager;
        this.cache = cache;
        this.writer = cache.withFlags(Flag.IGNORE_RETURN_VALUES);
    }

    /**
     * Opens the tier in {@code directory}, creating it when missing.
     *
     * @throws Exception whatever made it fail (the caller goes on without a persistent tier)
     */
    static PersistentTier open(Path directory) throws Exception {
        Path absolute = directory.toAbsolutePath().normalize();
        // The directories the file store will use, made and checked here: a parent that is a file, a file where a
        // directory should be, no permission fail with one plain message, not with Infinispan's stack traces.
        Path tier = absolute.resolve(Tiers.CACHE_NAME);
        for (Path needed : new Path[] {tier.resolve("data"), tier.resolve("index")}) {
            try {
                Files.createDirectories(needed);
            } catch (FileAlreadyExistsException e) {
                throw new IOException(e.getFile() + " is a file where a directory should be");
            }
            if (!Files.isWritable(needed)) {
                throw new IOException(needed + " is not writable");
            }
        }
        DefaultCacheManager manager = new DefaultCacheManager(Tiers.global("sidecar-cache-persistent").build(), false);
        try {
            manager.defineConfiguration(Tiers.CACHE_NAME, Tiers.persistent(absolute.toString()).build());
            manager.start();
            AdvancedCache<String, byte[]> cache = manager.<String, byte[]>getCache(Tiers.CACHE_NAME).getAdvancedCache();
            return new PersistentTier(absolute, manager, cache);
        } catch (Exception | Error e) {
            try {
                manager.stop();
            } catch (RuntimeException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
    }

    Path directory() {
        return directory;
    }

    /** The entry under {@code key}, or null; blocking. */
    CacheEntry<String, byte[]> get(String key) {
        return cache.getCacheEntry(key);
    }

    /** Blocking: written to disk when it returns. */
    void put(String key, byte[] value, long lifespanMillis) {
        writer.put(key, value, lifespanMillis, TimeUnit.MILLISECONDS);
    }

    /** Blocking. */
    void remove(String key) {
        cache.remove(key);
    }

    /** Returns at once; the disk is written on Infinispan's threads. */
    CompletableFuture<?> removeAsync(String key) {
        try {
            return cache.removeAsync(key);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Blocking. */
    void clear() {
        cache.clear();
    }

    /** Walks every entry on disk; blocking, for as long as the files take to read. */
    void forEach(EntryVisitor visitor) {
        try (CloseableIterator<CacheEntry<String, byte[]>> entries = cache.cacheEntrySet().iterator()) {
            while (entries.hasNext()) {
                CacheEntry<String, byte[]> entry = entries.next();
                visitor.visit(entry.getKey(), entry.getValue(), expiresMillis(entry));
            }
        }
    }

    /** When {@code entry} expires, from its metadata; Long.MAX_VALUE when the metadata does not say. */
    static long expiresMillis(CacheEntry<?, ?> entry) {
        long lifespan = entry.getLifespan();
        long created = entry.getCreated();
        if (lifespan < 0 || created <= 0) {
            return Long.MAX_VALUE;
        }
        return created + lifespan;
    }

    void close() {
        manager.stop();
    }
}
