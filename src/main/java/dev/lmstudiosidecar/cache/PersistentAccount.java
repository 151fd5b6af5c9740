package dev.lmstudiosidecar.cache;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the persistent tier holds, by weight, in order of creation: Infinispan's file store has no byte
 * bound of its own, so {@code lmstudio.cache-size} is kept here. Every method is synchronized and cheap
 * (no I/O): the removals it asks for are done by the caller, asynchronously.
 *
 * <p>Expired entries are dropped from the account when they are next looked at (the file store's own
 * expiry reaper frees their space): without that, entries no one reads again would count forever.
 */
final class PersistentAccount {

    private record Entry(String key, long weight, long created, long expires, long sequence) {
    }

    /** Oldest first; the sequence breaks ties between entries created in the same millisecond. */
    private static final Comparator<Entry> BY_CREATION =
            Comparator.comparingLong(Entry::created).thenComparingLong(Entry::sequence);
    private static final Comparator<Entry> BY_EXPIRY =
            Comparator.comparingLong(Entry::expires).thenComparingLong(Entry::sequence);

    private final long bound;
    private final Map<String, Entry> byKey = new HashMap<>();
    private final TreeSet<Entry> byCreation = new TreeSet<>(BY_CREATION);
    private final TreeSet<Entry> byExpiry = new TreeSet<>(BY_EXPIRY);
    private long bytes;
    private long sequence;

    PersistentAccount(long bound) {
        this.bound = bound;
    }

    /**
     * Counts {@code key} (replacing what it weighed before) and returns the keys to remove, oldest first,
     * so that the total is back within the bound. An entry heavier than the whole bound is itself among them.
     */
    synchronized List<String> add(String key, long weight, long createdMillis, long expiresMillis, long nowMillis) {
        forget(key);
        Entry entry = new Entry(key, weight, createdMillis, expiresMillis, sequence++);
        byKey.put(key, entry);
        byCreation.add(entry);
        byExpiry.add(entry);
        bytes += weight;
        return overflow(nowMillis);
    }

    /**
     * Counts an entry found on disk at start-up, unless a put since start-up already counted the key (what
     * is counted then is newer than what the scan read).
     */
    synchronized List<String> addFound(String key, long weight, long createdMillis, long expiresMillis, long nowMillis) {
        if (byKey.containsKey(key)) {
            return List.of();
        }
        return add(key, weight, createdMillis, expiresMillis, nowMillis);
    }

    /** Stops counting {@code key}; true if it was counted. */
    synchronized boolean forget(String key) {
        Entry old = byKey.remove(key);
        if (old == null) {
            return false;
        }
        byCreation.remove(old);
        byExpiry.remove(old);
        bytes -= old.weight();
        return true;
    }

    synchronized void clear() {
        byKey.clear();
        byCreation.clear();
        byExpiry.clear();
        bytes = 0;
    }

    synchronized long entries(long nowMillis) {
        dropExpired(nowMillis);
        return byKey.size();
    }

    synchronized long bytes(long nowMillis) {
        dropExpired(nowMillis);
        return bytes;
    }

    private List<String> overflow(long nowMillis) {
        dropExpired(nowMillis);
        List<String> victims = new ArrayList<>();
        while (bytes > bound && !byCreation.isEmpty()) {
            Entry oldest = byCreation.first();
            forget(oldest.key());
            victims.add(oldest.key());
        }
        return victims;
    }

    private void dropExpired(long nowMillis) {
        while (!byExpiry.isEmpty() && byExpiry.first().expires() <= nowMillis) {
            forget(byExpiry.first().key());
        }
    }
}
