package dev.lmstudiosidecar.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.infinispan.container.entries.CacheEntry;
import org.jboss.logging.Logger;

/**
 * {@link ResponseStore} on Infinispan embedded: a {@link MemoryTier} always, a {@link PersistentTier} when
 * its directory opens. Each tier's byte bound is kept by a {@link ByteAccount}.
 *
 * <p>Threads: memory-tier calls are in-memory and complete on the caller's thread; everything that may touch
 * the disk runs on {@link StoreWorkers}. No call throws and every stage completes: a failure is logged once
 * per kind ({@link FailureLog}) and reads as a miss, or as a write that did not happen.
 *
 * <p>Values are {@link CachedAnswerCodec} bytes. One that does not decode is never served: it is removed and
 * the read is a miss. Files the file store itself cannot read (a record cut short by a kill mid-write) make the
 * whole persistent tier be dropped, once, with one warning: see {@link #dropDamagedTier}.
 */
public final class InfinispanResponseStore implements ResponseStore {

    private static final Logger LOG = Logger.getLogger(InfinispanResponseStore.class);

    /** How long close() lets queued disk work finish before it gives up on it. */
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final FailureLog failures = new FailureLog();
    private final StoreWorkers workers = new StoreWorkers(failures);
    private final LongSupplier clock;
    private final MemoryTier memory;
    /** The memory tier by last use. */
    private final ByteAccount memoryAccount;
    /** Null when the persistent tier was left out. */
    private final PersistentTier persistent;
    /** The persistent tier by creation. */
    private final ByteAccount persistentAccount;
    private final AtomicLong evictions = new AtomicLong();
    /** The failure kind of {@link #dropDamagedTier}. */
    static final String DAMAGED_TIER = "damaged-persistent";

    /** Set once the persistent tier's files were found damaged and emptied. */
    private final AtomicBoolean damagedTierDropped = new AtomicBoolean();
    /** Why the persistent tier was left out; null when it opened. */
    private final String persistentProblem;

    /** Opens the store on the wall clock: on the start-up thread, as it reads and writes its directory. */
    public static InfinispanResponseStore open(StoreSettings settings) {
        return new InfinispanResponseStore(settings, System::currentTimeMillis);
    }

    InfinispanResponseStore(StoreSettings settings, LongSupplier clock) {
        this.clock = clock;
        this.memory = new MemoryTier(settings.memoryBytes());
        this.memoryAccount = new ByteAccount(settings.memoryBytes());
        this.persistentAccount = new ByteAccount(settings.persistentBytes());
        PersistentTier opened = null;
        String problem = null;
        try {
            opened = PersistentTier.open(settings.cacheDir());
        } catch (Throwable e) {
            problem = settings.cacheDir().toAbsolutePath() + ": " + FailureLog.describe(e);
            LOG.warnf("The response cache keeps answers in memory only (none survive a restart): its persistent tier "
                    + "cannot use %s", problem);
        }
        this.persistent = opened;
        this.persistentProblem = problem;
        if (persistent != null) {
            persistentAccount.scanStarting();
            workers.submit("count the persistent tier's entries", this::countPersistentEntries, null);
        }
    }

    // ---- get

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
        if (answer.isPresent()) {
            memoryAccount.touch(key, clock.getAsLong());
        } else {
            failures.warnOnce("corrupt-memory", "The response cache found an entry in memory that does not decode; "
                    + "it is removed and counts as a miss", null);
            removeFromMemory(key);
        }
        return answer;
    }

    /** The persistent tier's entry, copied into the memory tier for the rest of its life; empty without the tier. */
    private CompletableFuture<Optional<CachedAnswer>> getPersistent(String key) {
        if (persistent == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return workers.submit("read the persistent tier", () -> {
            CacheEntry<String, byte[]> entry;
            try {
                entry = persistent.get(key);
            } catch (RuntimeException unreadable) {
                dropDamagedTier("reading an entry", unreadable);
                return Optional.<CachedAnswer>empty();
            }
            if (entry == null || entry.getValue() == null) {
                return Optional.<CachedAnswer>empty();
            }
            Optional<CachedAnswer> answer = CachedAnswerCodec.decode(entry.getValue());
            if (answer.isEmpty()) {
                failures.warnOnce("corrupt-persistent", "The response cache found an entry in " + persistent.directory()
                        + " that does not decode; it is removed and counts as a miss", null);
                persistentAccount.forget(key);
                persistent.remove(key);
                return answer;
            }
            long now = clock.getAsLong();
            long expires = PersistentTier.expiresMillis(entry);
            long remaining = expires == Long.MAX_VALUE ? entry.getLifespan() : expires - now;
            if (remaining > 0) {
                putMemory(key, entry.getValue(), remaining, now);
            }
            return answer;
        }, Optional.empty());
    }

    // ---- put

    @Override
    public CompletionStage<Void> put(String key, CachedAnswer answer, Duration ttl, boolean persist) {
        try {
            long lifespan = ttl.toMillis();
            if (lifespan <= 0) {
                return CompletableFuture.completedFuture(null);
            }
            byte[] bytes = CachedAnswerCodec.encode(answer);
            CompletableFuture<Void> inMemory = putMemory(key, bytes, lifespan, clock.getAsLong());
            if (!persist || persistent == null) {
                return inMemory;
            }
            CompletableFuture<Void> onDisk = workers.submit("write the persistent tier", () -> {
                long now = clock.getAsLong();
                persistent.put(key, bytes, lifespan);
                evictFromDisk(persistentAccount.add(key, Tiers.weight(key, bytes), answer.createdEpochMillis(), now + lifespan, now));
                return null;
            }, null);
            return CompletableFuture.allOf(inMemory, onDisk);
        } catch (Throwable e) {
            failures.warnOnce("write the memory tier", "The response cache could not store an answer", e);
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Stores in memory, then removes the least recently used entries over the bound. */
    private CompletableFuture<Void> putMemory(String key, byte[] bytes, long lifespanMillis, long now) {
        try {
            CompletableFuture<Void> stored = memory.put(key, bytes, lifespanMillis).exceptionally(failure -> {
                failures.warnOnce("write the memory tier", "The response cache could not write the memory tier", failure);
                return null;
            });
            List<String> victims = memoryAccount.add(key, Tiers.weight(key, bytes), now, now + lifespanMillis, now);
            evictions.addAndGet(victims.size());
            victims.forEach(this::removeFromMemory);
            return stored;
        } catch (Throwable e) {
            failures.warnOnce("write the memory tier", "The response cache could not write the memory tier", e);
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Removes from the memory tier; in memory, so it is done when this returns. */
    private void removeFromMemory(String key) {
        memoryAccount.forget(key);
        memory.remove(key).whenComplete((done, failure) -> {
            if (failure != null) {
                failures.warnOnce("remove from the memory tier", "The response cache could not remove from the memory tier", failure);
            }
        });
    }

    /** Removes what the account says is over the bound, oldest first, without waiting for the disk. */
    private void evictFromDisk(List<String> victims) {
        evictions.addAndGet(victims.size());
        for (String victim : victims) {
            persistent.removeAsync(victim).whenComplete((done, failure) -> {
                if (failure != null) {
                    failures.warnOnce("evict from the persistent tier", "The response cache could not evict from "
                            + persistent.directory(), failure);
                }
            });
        }
    }

    // ---- remove

    @Override
    public CompletionStage<Long> remove(String model) {
        return workers.submit("remove entries", () -> model == null ? removeAll() : removeModel(model), 0L);
    }

    private long removeAll() {
        Set<String> keys = new HashSet<>();
        memory.forEach((key, value) -> keys.add(key));
        memory.clear().join(); // in memory: done when it returns
        memoryAccount.clear();
        if (persistent != null) {
            persistent.forEach((key, value, expires) -> keys.add(key));
            persistent.clear();
            persistentAccount.clear();
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
            removeFromMemory(key);
            if (persistent != null) {
                persistentAccount.forget(key);
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

    // ---- start-up

    /**
     * Counts what a previous run left on disk, so that the bound holds from the start, and drops what does not
     * decode. Runs on a store thread while gets and puts go on: a key put meanwhile is already counted, and
     * newer than what the scan read. The whole scan is counted at once, so that the oldest are evicted, not
     * whichever the scan happened to read first.
     */
    private Void countPersistentEntries() {
        List<ByteAccount.Found> found = new ArrayList<>();
        List<String> corrupt = new ArrayList<>();
        try {
            persistent.forEach((key, value, expires) -> {
                Optional<CachedAnswer> answer = CachedAnswerCodec.decode(value);
                if (answer.isPresent()) {
                    found.add(new ByteAccount.Found(key, Tiers.weight(key, value), answer.get().createdEpochMillis(), expires));
                } else {
                    corrupt.add(key);
                }
            });
        } catch (RuntimeException unreadable) {
            dropDamagedTier("counting its entries", unreadable);
            return null;
        }
        for (String key : corrupt) {
            persistent.remove(key);
        }
        if (!corrupt.isEmpty()) {
            failures.warnOnce("corrupt-persistent", "The response cache dropped " + corrupt.size() + " entries in "
                    + persistent.directory() + " that do not decode", null);
        }
        long now = clock.getAsLong();
        synchronized (damagedTierDropped) {
            if (damagedTierDropped.get()) {
                return null; // a read found the files damaged meanwhile: what the scan read is gone
            }
            evictFromDisk(persistentAccount.addFound(found, now));
        }
        LOG.debugf("The response cache's persistent tier holds %d entries (%d bytes)", persistentAccount.entries(now),
                persistentAccount.bytes(now));
        return null;
    }

    /**
     * The file store failed to read its own files: what a kill in the middle of a write leaves (a record cut
     * short at the end of a data file; the file store rebuilds its index from the data after an unclean stop,
     * and the cut record makes every scan and every read of that key fail). Which entries are whole cannot be
     * told from here, so all of them are dropped, once, with one warning; the tier then starts empty and is
     * written again. A cache owes nothing more; a torn answer is never served either way (the read is a miss).
     */
    private void dropDamagedTier(String during, Throwable cause) {
        synchronized (damagedTierDropped) { // against the start-up scan counting what it read meanwhile
            if (!damagedTierDropped.compareAndSet(false, true)) {
                return;
            }
            persistentAccount.clear();
        }
        try {
            persistent.clear();
        } catch (RuntimeException alsoFailed) {
            failures.warnOnce("clear the damaged persistent tier", "The response cache could not empty " + persistent.directory(),
                    alsoFailed);
        }
        failures.warnOnce(DAMAGED_TIER, "The response cache's files in " + persistent.directory() + " are damaged "
                + "(found while " + during + "; an unclean stop such as a kill can leave a record cut short): every answer "
                + "on disk is dropped and the persistent tier starts empty", cause);
    }

    /** How many kinds of failure the store has logged a warning for (tests count them). */
    int failureKindsLogged() {
        return failures.kindsLogged();
    }

    /** Whether a failure of {@code kind} was logged (tests look). */
    boolean warned(String kind) {
        return failures.logged(kind);
    }

    // ---- the rest

    @Override
    public StoreStats stats() {
        long now = clock.getAsLong();
        long netEvictions = 0;
        try {
            netEvictions = memory.infinispanEvictions();
        } catch (RuntimeException e) {
            failures.warnOnce("read the memory tier's statistics", "The response cache could not read its memory tier's statistics", e);
        }
        return new StoreStats(memoryAccount.entries(now), memoryAccount.bytes(now), persistentAccount.entries(now),
                persistentAccount.bytes(now), evictions.get() + netEvictions, persistent != null);
    }

    /** Why the persistent tier was left out (the directory and the cause, as logged), if it was. */
    Optional<String> persistentProblem() {
        return Optional.ofNullable(persistentProblem);
    }

    /** Infinispan's own estimate of the memory tier's bytes (tests compare it with the account's). */
    long memoryBytesByInfinispan() {
        return memory.infinispanBytes();
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
