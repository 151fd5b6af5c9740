package dev.lmstudiosidecar.cache;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a tier holds, by weight, oldest first, and which entries to remove to keep it within its byte bound.
 * Every method is synchronized and cheap (no I/O): the removals it asks for are done by the caller.
 *
 * <p>Why not Infinispan's own bound: the file store has none, and the memory tier's (Caffeine's W-TinyLFU)
 * turns away a new entry in favour of an equally cold old one, so a cache full of answers no one asked for
 * again would keep the oldest of them and drop every new one. Here the oldest goes first: by creation for the
 * persistent tier, by last use for the memory tier (its hits {@link #touch} their entry).
 *
 * <p>Expired entries are dropped from the account when it is next looked at (the tier's expiry reaper frees
 * their space): without that, entries no one reads again would count forever.
 */
final class ByteAccount {

    /** {@code order}: creation or last use, epoch ms; the sequence breaks ties within a millisecond. */
    private record Entry(String key, long weight, long order, long expires, long sequence) {
    }

    /** Oldest first. */
    private static final Comparator<Entry> BY_AGE =
            Comparator.comparingLong(Entry::order).thenComparingLong(Entry::sequence);
    private static final Comparator<Entry> BY_EXPIRY =
            Comparator.comparingLong(Entry::expires).thenComparingLong(Entry::sequence);

    private final long bound;
    private final Map<String, Entry> byKey = new HashMap<>();
    /** Between {@link #scanStarting()} and {@link #addFound}: keys removed meanwhile, which the scan may still have read. */
    private boolean scanning;
    private final java.util.Set<String> droppedWhileScanning = new java.util.HashSet<>();
    private final TreeSet<Entry> byAge = new TreeSet<>(BY_AGE);
    private final TreeSet<Entry> byExpiry = new TreeSet<>(BY_EXPIRY);
    private long bytes;
    private long sequence;

    ByteAccount(long bound) {
        this.bound = bound;
    }

    /**
     * Counts {@code key} (replacing what it weighed before) and returns the keys to remove, oldest first,
     * so that the total is back within the bound. An entry heavier than the whole bound is itself among them.
     */
    synchronized List<String> add(String key, long weight, long orderMillis, long expiresMillis, long nowMillis) {
        forget(key);
        count(key, weight, orderMillis, expiresMillis);
        return overflow(nowMillis);
    }

    /**
     * Counts entries found on disk at start-up, then returns what is over the bound, oldest first. A key put
     * since start-up is already counted, and newer than what the scan read: it is left as it is.
     */
    synchronized List<String> addFound(List<Found> found, long nowMillis) {
        for (Found entry : found) {
            if (!byKey.containsKey(entry.key()) && !droppedWhileScanning.contains(entry.key())) {
                count(entry.key(), entry.weight(), entry.orderMillis(), entry.expiresMillis());
            }
        }
        scanning = false;
        droppedWhileScanning.clear();
        return overflow(nowMillis);
    }

    /** A start-up scan begins: a key removed before its {@link #addFound} must not come back from what it read. */
    synchronized void scanStarting() {
        scanning = true;
    }

    record Found(String key, long weight, long orderMillis, long expiresMillis) {
    }

    /** Makes {@code key} the newest (a memory hit), keeping its weight and expiry; nothing if it is not counted. */
    synchronized void touch(String key, long nowMillis) {
        Entry old = byKey.get(key);
        if (old != null) {
            forget(key);
            count(key, old.weight(), nowMillis, old.expires());
        }
    }

    private void count(String key, long weight, long orderMillis, long expiresMillis) {
        Entry entry = new Entry(key, weight, orderMillis, expiresMillis, sequence++);
        byKey.put(key, entry);
        byAge.add(entry);
        byExpiry.add(entry);
        bytes += weight;
    }

    /** Stops counting {@code key}; true if it was counted. */
    synchronized boolean forget(String key) {
        if (scanning) {
            droppedWhileScanning.add(key);
        }
        Entry old = byKey.remove(key);
        if (old == null) {
            return false;
        }
        byAge.remove(old);
        byExpiry.remove(old);
        bytes -= old.weight();
        return true;
    }

    synchronized void clear() {
        byKey.clear();
        byAge.clear();
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
        while (bytes > bound && !byAge.isEmpty()) {
            Entry oldest = byAge.first();
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
