package dev.lmstudiosidecar.cache;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The store when caching is off: it keeps nothing, opens no file, starts no thread. */
final class NoResponseStore implements ResponseStore {

    @Override
    public CompletionStage<Optional<CachedAnswer>> get(String key) {
        return CompletableFuture.completedFuture(Optional.empty());
    }

    @Override
    public CompletionStage<Void> put(String key, CachedAnswer answer, Duration ttl, boolean persist) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Long> remove(String model) {
        return CompletableFuture.completedFuture(0L);
    }

    @Override
    public StoreStats stats() {
        return new StoreStats(0, 0, 0, 0, 0, false);
    }

    @Override
    public void close() {
    }
}
