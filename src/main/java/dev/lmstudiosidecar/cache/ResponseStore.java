package dev.lmstudiosidecar.cache;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The cache's two tiers behind one face. Nothing here blocks the calling thread, nothing throws:
 * every stage completes on the store's own threads, and a tier that fails (an unwritable, full or
 * corrupt data directory) logs once and is left out, so that a request never fails or waits because
 * the cache did.
 */
public interface ResponseStore {

    /** The entry under {@code key} from either tier, if present and not expired. */
    CompletionStage<Optional<CachedAnswer>> get(String key);

    /**
     * Stores {@code answer} under {@code key} for {@code ttl}: in the memory tier always, in the
     * persistent tier too when {@code persist}.
     */
    CompletionStage<Void> put(String key, CachedAnswer answer, Duration ttl, boolean persist);

    /** Removes every entry, or (model non-null) every entry answered by {@code model}; completes with how many. */
    CompletionStage<Long> remove(String model);

    /** Entries, bytes and evictions per tier, as of now. */
    StoreStats stats();

    /** Stops the tiers' threads and closes their files. */
    void close();

    /**
     * @param persistentAvailable false when the persistent tier was left out (the data directory failed)
     */
    record StoreStats(long memoryEntries, long memoryBytes, long persistentEntries, long persistentBytes, long evictions,
                      boolean persistentAvailable) {
    }
}
