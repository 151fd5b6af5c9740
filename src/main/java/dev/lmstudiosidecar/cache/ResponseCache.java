package dev.lmstudiosidecar.cache;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * The response cache as the request path sees it: what a request may look up and store
 * ({@link #plan}), under which key, the two tiers behind {@link ResponseStore}, request
 * coalescing, and the counts of hits, misses and bypasses. Nothing here blocks or throws on the
 * request path: a store that fails answers "miss".
 */
public final class ResponseCache {

    /** What the cache does for one request: it stores the answer; {@code lookup} says whether it looks first. */
    public record Plan(String operation, boolean lookup, Duration ttl) {
    }

    public enum Result { HIT, MISS, BYPASS }

    /** Larger answers (a long embeddings matrix, a very long stream) are relayed but not kept. */
    public static final int MAX_ANSWER_BYTES = 4 * 1024 * 1024;

    private final boolean enabled;
    private final CachePolicy.Mode mode;
    private final Duration defaultTtl;
    private final Duration persistMinGeneration;
    private final ResponseStore store;
    private final InFlightAnswers inFlight = new InFlightAnswers();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder bypasses = new LongAdder();

    /**
     * @param persistMinGeneration the {@code shouldPersist} rule: an answer that took at least this long to
     *                             generate is also written to disk; cheaper ones stay in memory only
     */
    public ResponseCache(boolean enabled, CachePolicy.Mode mode, Duration defaultTtl, Duration persistMinGeneration, ResponseStore store) {
        this.enabled = enabled && mode != CachePolicy.Mode.OFF;
        this.mode = mode;
        this.defaultTtl = defaultTtl;
        this.persistMinGeneration = persistMinGeneration;
        this.store = store;
    }

    /**
     * @param operation    {@code chat}, {@code completions} or {@code embeddings}; null for anything else
     * @param cacheControl the request's {@code Cache-Control}, or null
     * @param ttlHeader    the request's {@code X-Sidecar-Cache-TTL}, or null
     * @return empty when the cache stays out of this request (a bypass)
     * @throws IllegalArgumentException for a malformed {@code X-Sidecar-Cache-TTL}
     */
    public Optional<Plan> plan(String operation, byte[] json, int offset, int length, String cacheControl, String ttlHeader) {
        if (!enabled || operation == null || !CachePolicy.cacheable(mode, operation, json, offset, length)) {
            return Optional.empty();
        }
        CachePolicy.CacheControl control = CachePolicy.CacheControl.parse(cacheControl);
        if (control.noStore()) {
            return Optional.empty();
        }
        Duration ttl = CachePolicy.ttl(ttlHeader, defaultTtl, defaultTtl);
        return Optional.of(new Plan(operation, !control.noCache(), ttl));
    }

    /** The key of this request when {@code model} answers it. */
    public String key(Plan plan, String model, byte[] json, int offset, int length) {
        return CacheKey.of(plan.operation(), model, json, offset, length);
    }

    public CompletionStage<Optional<CachedAnswer>> get(String key) {
        return store.get(key);
    }

    /** Joins the requests in flight for {@code key}: leads them, or follows the one that does. */
    public InFlightAnswers.Lead join(String key) {
        return inFlight.join(key);
    }

    /** Stores a complete, successful answer; to disk too when it was expensive to make. */
    public void store(String key, Plan plan, CachedAnswer answer) {
        store.put(key, answer, plan.ttl(), answer.generationMillis() >= persistMinGeneration.toMillis());
    }

    public CompletionStage<Long> remove(String model) {
        return store.remove(model);
    }

    public void count(Result result) {
        switch (result) {
            case HIT -> hits.increment();
            case MISS -> misses.increment();
            case BYPASS -> bypasses.increment();
        }
    }

    public long counted(Result result) {
        return switch (result) {
            case HIT -> hits.sum();
            case MISS -> misses.sum();
            case BYPASS -> bypasses.sum();
        };
    }

    public ResponseStore.StoreStats stats() {
        return store.stats();
    }

    public boolean enabled() {
        return enabled;
    }

    public CachePolicy.Mode mode() {
        return mode;
    }
}
