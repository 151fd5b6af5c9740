package dev.lmstudiosidecar.cache;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.infinispan.container.entries.CacheEntry;
import org.jboss.logging.Logger;

/**
 * {@link ResponseStore} on Infinispan embedded: a {@link MemoryTier} always, a {@link PersistentTier} when
 * its directory opens.
 *
 * <p>Threads: memory-tier calls are in-memory and complete on the caller's thread; everything that may touch
 * the disk runs on {@link StoreWorkers}. No call throws and every stage completes: a failure is logged once
 * per kind ({@link FailureLog}) and reads as a miss, or as a write that did not happen.
 *
 * <p>Values are {@link CachedAnswerCodec} bytes. One that does not decode is never served: it is removed and
 * the read is a miss.
 */
public final class InfinispanResponseStore implements ResponseStore {

    private static final Logger LOG = Logger.getLogger(InfinispanResponseStore.class);

    /** How long close() lets queued disk work finish before it gives up on it. */
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final FailureLog failures = new FailureLog();
    private final StoreWorkers workers = new StoreWorkers(failures);
    private final LongSupplier clock;
    private final MemoryTier memory;
    /** Null when the persistent tier was left out. */
    private final PersistentTier persistent;
    private final PersistentAccount account;
    private final AtomicLong persistentEvictions = new AtomicLong();

    /** Opens the store on the wall clock. */
    public static InfinispanResponseStore open(StoreSettings settings) {
        return new InfinispanResponseStore(settings, System::currentTimeMillis);
    }

    InfinispanResponseStore(StoreSettings settings, LongSupplier clock) {
        this.clock = clock;
        this.memory = new MemoryTier(settings.memoryBytes());
        this.account = new PersistentAccount(settings.persistentBytes());
        this.persistent = openPersistent(settings);
        if (persistent != null) {
            workers.submit("count the persistent tier's entries", this::rebuildAccount, null);
        }
    }

    private PersistentTier openPersistent(StoreSettings settings) {
        try {
            return PersistentTier.open(settings.cacheDir());
        } catch (Throwable e) {
            LOG.warnf("The response cache's persistent tier cannot use %s, so answers are cached in memory only "
                    + "and none survive a restart: %s", settings.cacheDir().toAbsolutePath(), FailureLog.describe(e));
            return null;
        }
    }

    @Override
    public CompletionStage<Optional<CachedAnswer>> get(String key) {
        CompletableFuture<Optional<CachedAnswer>> result = new CompletableFuture<>();
        try {
            memory.get(key).whenComplete((bytes, failure) -> {
                try {
                    Optional<CachedAnswer> inMemory = fromMemory(key, bytes, failure);
                    if (inMemory.isPresent()) {
                        result.complete(inMemory);
                    } else {
                        getPersistent(key).whenComplete((found, ignored) -> result.complete(found == null ? Optional.empty() : found));
                    }
                } catch (Throwable e) {
                    failures.warnOnce("read the memory tier", "The response cache could not read the memory tier", e);
                    result.complete(Optional.empty());
                }
            });
        } catch (Throwable e) {
            failures.warnOnce("read the memory tier", "The response cache could not read the memory tier", e);
            result.complete(Optional.empty());
        }
        return result;
    }

    /** What the memory tier answered, decoded; a value that does not decode is removed and reads as a miss. */
    private Optional<CachedAnswer> fromMemory(String key, byte[] bytes, Throwable failure) {
        if (failure != null) {
            failures.warnOnce("read the memory tier", "The response cache could not read the memory tier", failure);
            return Optional.empty();
        }
        if (bytes == null) {
            return Optional.empty();
        }
        Optional<CachedAnswer> answer = CachedAnswerCodec.decode(bytes);
        if (answer.isEmpty()) {
            failures.warnOnce("corrupt-memory", "The response cache found an entry in memory that does not decode; "
                    + "it is removed and counts as a miss", null);
            memory.remove(key);
        }
        return answer;
    }

    /** The persistent tier's entry, copied into the memory tier for the rest of its life; empty without the tier. */
    private CompletableFuture<Optional<CachedAnswer>> getPersistent(String key) {
        if (persistent == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return workers.submit("read the persistent tier", () -> {
            CacheEntry<String, byte[]> entry = persistent.get(key);
            if (entry == null || entry.getValue() == null) {
                return Optional.<CachedAnswer>empty();
            }
            Optional<CachedAnswer> answer = CachedAnswerCodec.decode(entry.getValue());
            if (answer.isEmpty()) {
                failures.warnOnce("corrupt-persistent", "The response cache found an entry in " + persistent.directory()
                        + " that does not decode; it is removed and counts as a miss", null);
                account.forget(key);
                persistent.remove(key);
                return answer;
            }
            long expires = PersistentTier.expiresMillis(entry);
            long remaining = expires == Long.MAX_VALUE ? entry.getLifespan() : expires - clock.getAsLong();
            if (remaining > 0) {
                putMemory(key, entry.getValue(), remaining);
            }
            return answer;
        }, Optional.empty());
    }

    @Override
    public CompletionStage<Void> put(String key, CachedAnswer answer, Duration ttl, boolean persist) {
        try {
            long lifespan = ttl.toMillis();
            if (lifespan <= 0) {
                return CompletableFuture.completedFuture(null);
            }
            byte[] bytes = CachedAnswerCodec.encode(answer);
            CompletableFuture<Void> inMemory = putMemory(key, bytes, lifespan);
            if (!persist || persistent == null) {
                return inMemory;
            }
            CompletableFuture<Void> onDisk = workers.submit("write the persistent tier", () -> {
                long now = clock.getAsLong();
                persistent.put(key, bytes, lifespan);
                evict(account.add(key, bytes.length, answer.createdEpochMillis(), now + lifespan, now));
                return null;
            }, null);
            return CompletableFuture.allOf(inMemory, onDisk);
        } catch (Throwable e) {
            failures.warnOnce("write the memory tier", "The response cache could not store an answer", e);
            return CompletableFuture.completedFuture(null);
        }
    }

    private CompletableFuture<Void> putMemory(String key, byte[] bytes, long lifespanMillis) {
        try {
            return memory.put(key, bytes, lifespanMillis).exceptionally(failure -> {
                failures.warnOnce("write the memory tier", "The response cache could not write the memory tier", failure);
                return null;
            });
        } catch (Throwable e) {
            failures.warnOnce("write the memory tier", "The response cache could not write the memory tier", e);
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Removes what the account says is over the bound, oldest first, without waiting for the disk. */
    private void evict(List<String> victims) {
        if (victims.isEmpty()) {
            return;
        }
        persistentEvictions.addAndGet(victims.size());
        for (String victim : victims) {
            persistent.removeAsync(victim).whenComplete((done, failure) -> {
                if (failure != null) {
                    failures.warnOnce("evict from the persistent tier", "The response cache could not evict from "
                            + persistent.directory(), failure);
                }
            });
        }
    }

    @Override
    public CompletionStage<Long> remove(String model) {
        return workers.submit("remove entries", () -> model == null ? removeAll() : removeModel(model), 0L);
    }

    private long removeAll() {
        Set<String> keys = new HashSet<>();
        memory.forEach((key, value) -> keys.add(key));
        memory.clear().join(); // in memory: done when it returns
        if (persistent != null) {
            persistent.forEach((key, value, expires) -> keys.add(key));
            persistent.clear();
            account.clear();
        }
        return keys.size();
    }

    private long removeModel(String model) {
        Set<String> matching = new HashSet<>();
        Set<String> corrupt = new HashSet<>();
        memory.forEach((key, value) -> sort(key, value, model, matching, corrupt));
        if (persistent != null) {
            persistent.forEach((key, value, expires) -> sort(key, value, model, matching, corrupt));
        }
        Set<String> gone = new HashSet<>(matching);
        gone.addAll(corrupt); // dropped while we are at it, not counted: they were no one's answer
        for (String key : gone) {
            memory.remove(key).join();
            if (persistent != null) {
                account.forget(key);
                persistent.remove(key);
            }
        }
        return matching.size();
    }

    private static void sort(String key, byte[] value, String model, Set<String> matching, Set<String> corrupt) {
        Optional<CachedAnswer> answer = CachedAnswerCodec.decode(value);
        if (answer.isEmpty()) {
            corrupt.add(key);
        } else if (answer.get().model().equals(model)) {
            matching.add(key);
        }
    }

    /**
     * Counts what a previous run left on disk, so that the bound holds from the start. Runs on a store thread
     * while gets and puts go on: a key put meanwhile is already counted, and the newer weight wins.
     */
    private Void rebuildAccount() {
        Set<String> corrupt = new HashSet<>();
        long now = clock.getAsLong();
        int[] found = {0};
        persistent.forEach((key, value, expires) -> {
            Optional<CachedAnswer> answer = CachedAnswerCodec.decode(value);
            if (answer.isEmpty()) {
                corrupt.add(key);
                return;
            }
            found[0]++;
            evict(account.addFound(key, value.length, answer.get().createdEpochMillis(), expires, now));
        });
        for (String key : corrupt) {
            persistent.remove(key);
        }
        if (!corrupt.isEmpty()) {
            failures.warnOnce("corrupt-persistent", "The response cache dropped " + corrupt.size() + " entries in "
                    + persistent.directory() + " that do not decode", null);
        }
        LOG.debugf("The response cache's persistent tier holds %d entries (%d bytes)", found[0], account.bytes(now));
        return null;
    }

    @Override
    public StoreStats stats() {
        long now = clock.getAsLong();
        long memoryEntries = 0;
        long memoryBytes = 0;
        long memoryEvictions = 0;
        try {
            memoryEntries = memory.entries();
            memoryBytes = memory.bytes();
            memoryEvictions = memory.evictions();
        } catch (RuntimeException e) {
            failures.warnOnce("read the memory tier's statistics", "The response cache could not read its memory tier's statistics", e);
        }
        return new StoreStats(memoryEntries, memoryBytes, account.entries(now), account.bytes(now),
                memoryEvictions + persistentEvictions.get(), persistent != null);
    }

    /** Whether a failure of {@code kind} was logged (tests look). */
    boolean logged(String kind) {
        return failures.logged(kind);
    }

    @Override
    public void close() {
        workers.close(CLOSE_WAIT_MILLIS);
        stop("memory", memory::close);
        if (persistent != null) {
            stop("persistent", persistent::close);
        }
    }

    private static void stop(String tier, Runnable close) {
        try {
            close.run();
        } catch (RuntimeException e) {
            LOG.warnf("The response cache's %s tier did not close cleanly: %s", tier, FailureLog.describe(e));
        }
    }
}
