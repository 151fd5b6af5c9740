package dev.lmstudiosidecar.cache;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.config.SidecarConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The response cache and its store, from config, once; the store opens at start-up. */
public class CacheBeans {

    /**
     * With caching off, a store that keeps nothing: no directory is made, no Infinispan started.
     *
     * @throws IllegalArgumentException naming the key out of bounds
     */
    @Produces
    @Singleton
    ResponseStore responseStore(SidecarConfig sidecar, LMStudioConfig lmstudio) {
        if (!lmstudio.enableCaching() || CachePolicy.Mode.parse(lmstudio.cacheMode()) == CachePolicy.Mode.OFF) {
            return new NoResponseStore();
        }
        return InfinispanResponseStore.open(new StoreSettings(sidecar.dataDir(), sidecar.cache().memorySize().bytes(),
                lmstudio.cacheSize().bytes()));
    }

    /** The cache the request path uses, from {@code lmstudio.enable-caching}, {@code cache-mode} and {@code cache-ttl}. */
    @Produces
    @Singleton
    ResponseCache responseCache(LMStudioConfig lmstudio, SidecarConfig sidecar, ResponseStore store) {
        if (lmstudio.cacheTtl().isNegative() || lmstudio.cacheTtl().isZero()) {
            throw new IllegalArgumentException("lmstudio.cache-ttl must be positive (given " + lmstudio.cacheTtl() + ")");
        }
        return new ResponseCache(lmstudio.enableCaching(), CachePolicy.Mode.parse(lmstudio.cacheMode()), lmstudio.cacheTtl(),
                sidecar.cache().persistMinGeneration(), store);
    }

    void close(@Disposes ResponseStore store) {
        store.close();
    }

    /**
     * Opening the store reads and writes its directory: it is done here, on the start-up thread, rather than
     * by whichever request first needs it, possibly on an event loop.
     */
    void open(@Observes StartupEvent started, ResponseStore store) {
        store.stats();
    }
}
