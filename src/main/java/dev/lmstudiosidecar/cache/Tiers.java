package dev.lmstudiosidecar.cache;

import java.util.concurrent.TimeUnit;
import org.infinispan.commons.dataconversion.MediaType;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.cache.StorageType;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.eviction.EvictionStrategy;
import org.infinispan.factories.threads.CoreExecutorFactory;

/**
 * The Infinispan configuration of the two tiers, in one place.
 *
 * <p>Each tier has a cache manager of its own, so that a persistent tier that fails to start (its directory
 * unwritable or corrupt) cannot take the memory tier with it. Both are local (no JGroups transport), keep
 * keys and values as protostream bytes (a {@code String} and a {@code byte[]} need no schema of ours, and
 * binary storage is what lets the memory tier be bounded in bytes), and leave out JMX and Infinispan's own
 * metrics: the sidecar reports the store through {@link ResponseStore#stats()}.
 */
final class Tiers {

    static final String CACHE_NAME = "answers";

    /** Expired entries are reaped this often; between reaps a read of one still misses. */
    private static final long REAPER_MILLIS = TimeUnit.SECONDS.toMillis(10);

    /**
     * What the persistent tier's own in-memory container may hold. It only keeps what the file store last
     * read or wrote: the memory tier is where hits are served from, so this stays small, not a second copy.
     */
    static final long PERSISTENT_CONTAINER_BYTES = 1L << 20;

    /** Work Infinispan's own pools queue before their callers are told to wait (tasks are small). */
    private static final int POOL_QUEUE = 1024;
    private static final long POOL_KEEP_ALIVE_MILLIS = TimeUnit.SECONDS.toMillis(30);

    private Tiers() {
    }

    static GlobalConfigurationBuilder global(String managerName) {
        GlobalConfigurationBuilder global = new GlobalConfigurationBuilder().nonClusteredDefault();
        global.cacheManagerName(managerName);
        global.jmx().disable();
        global.metrics().gauges(false).histograms(false);
        global.cacheContainer().statistics(true);
        // No global state: it would add a lock file that, after an unclean stop (a killed pod), makes the next
        // start fail or purge. The file store keeps its own consistency (it rebuilds its index when it must).
        global.globalState().disable();
        // Infinispan sizes its pools for a server (a thread or more per core, up to 150 blocking ones); a sidecar
        // tier sees a few writes a second, and the store's own two workers are what queue them.
        global.nonBlockingThreadPool().threadPoolFactory(
                CoreExecutorFactory.executorFactory(1, 1, POOL_QUEUE, POOL_KEEP_ALIVE_MILLIS, true));
        global.blockingThreadPool().threadPoolFactory(
                CoreExecutorFactory.executorFactory(2, 0, POOL_QUEUE, POOL_KEEP_ALIVE_MILLIS, false));
        return global;
    }

    /**
     * What an entry weighs in a tier's account: its encoded bytes, its key, and about what Infinispan spends
     * to hold an entry (measured at ~120 bytes on 16.0: the entry, its wrappers, the eviction node).
     */
    static long weight(String key, byte[] encoded) {
        return encoded.length + 2L * key.length() + 160;
    }

    /**
     * {@code maxBytes}: sidecar.cache.memory-size, which the store keeps itself (oldest first); Infinispan's
     * own bound is a quarter above it, a net for what the store's account does not see, not the rule.
     */
    static ConfigurationBuilder memory(long maxBytes) {
        ConfigurationBuilder cache = base();
        cache.memory().storage(StorageType.HEAP).maxSize(Long.toString(maxBytes + maxBytes / 4))
                .whenFull(EvictionStrategy.REMOVE);
        return cache;
    }

    /** {@code location}: the directory under which the store keeps {@code answers/data} and {@code answers/index}. */
    static ConfigurationBuilder persistent(String location) {
        ConfigurationBuilder cache = base();
        cache.memory().storage(StorageType.HEAP).maxSize(Long.toString(PERSISTENT_CONTAINER_BYTES))
                .whenFull(EvictionStrategy.REMOVE);
        cache.persistence()
                .passivation(false) // write-through: the file store holds every entry, memory only a few
                .connectionAttempts(1) // a directory that fails now fails the same way in 50 ms: fail once, fast
                .addSoftIndexFileStore()
                .dataLocation(location)
                .indexLocation(location)
                .preload(false)
                .purgeOnStartup(false);
        return cache;
    }

    private static ConfigurationBuilder base() {
        ConfigurationBuilder cache = new ConfigurationBuilder();
        cache.clustering().cacheMode(CacheMode.LOCAL);
        cache.encoding().mediaType(MediaType.APPLICATION_PROTOSTREAM_TYPE);
        cache.statistics().enable();
        cache.expiration().wakeUpInterval(REAPER_MILLIS);
        return cache;
    }
}
