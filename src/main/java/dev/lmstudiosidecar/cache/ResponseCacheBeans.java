package dev.lmstudiosidecar.cache;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.config.SidecarConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The response cache the request path uses, from {@code lmstudio.enable-caching}, {@code cache-mode}, {@code cache-ttl}. */
public class ResponseCacheBeans {

    @Produces
    @Singleton
    ResponseCache responseCache(LMStudioConfig lmstudio, SidecarConfig sidecar, ResponseStore store) {
        if (lmstudio.cacheTtl().isNegative() || lmstudio.cacheTtl().isZero()) {
            throw new IllegalArgumentException("lmstudio.cache-ttl must be positive (given " + lmstudio.cacheTtl() + ")");
        }
        return new ResponseCache(lmstudio.enableCaching(), CachePolicy.Mode.parse(lmstudio.cacheMode()), lmstudio.cacheTtl(),
                sidecar.cache().persistMinGeneration(), store);
    }
}
