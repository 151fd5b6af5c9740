package dev.lmstudiosidecar.cache;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Request coalescing: the first request of a key that missed leads, later identical ones wait for its
 * answer instead of asking LM Studio again. The leader ends its lead with the answer it recorded, or
 * with none (it failed, or its answer may not be stored): then each waiter goes upstream itself. A
 * waiter that gives up only stops waiting; the leader and the other waiters go on.
 */
public final class InFlightAnswers {

    private final ConcurrentMap<String, CompletableFuture<Optional<CachedAnswer>>> leaders = new ConcurrentHashMap<>();

    /** The lead of {@code key}: either this caller's (it must end it) or another's, to wait for. */
    public sealed interface Lead permits Leading, Following {
    }

    /** This caller leads: it goes upstream, and must call {@link #end(Optional)} once, however it ends. */
    public final class Leading implements Lead {
        private final String key;
        private final CompletableFuture<Optional<CachedAnswer>> outcome;

        private Leading(String key, CompletableFuture<Optional<CachedAnswer>> outcome) {
            this.key = key;
            this.outcome = outcome;
        }

        /** @param answer the answer stored for the key, or empty: the waiters go upstream themselves */
        public void end(Optional<CachedAnswer> answer) {
            if (outcome.complete(answer)) {
                leaders.remove(key, outcome);
            }
        }
    }

    /** Another request leads: {@code answer} completes with its answer, or empty when there is none to share. */
    public record Following(CompletableFuture<Optional<CachedAnswer>> answer) implements Lead {
    }

    public Lead join(String key) {
        CompletableFuture<Optional<CachedAnswer>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<CachedAnswer>> current = leaders.putIfAbsent(key, mine);
        if (current == null) {
            return new Leading(key, mine);
        }
        // A copy per waiter: a waiter that gives up cancels its copy, never the leader's outcome.
        return new Following(current.thenApply(answer -> answer));
    }

    /** Requests leading now (for the admin view and tests). */
    public int leading() {
        return leaders.size();
    }
}
