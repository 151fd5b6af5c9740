package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.resilience.FailurePolicy;
import dev.lmstudiosidecar.resilience.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One request's way down its fallback chain: which candidate is up, how many attempts were made,
 * and, after each failure, what comes next: a retry of the same candidate after a delay, the next
 * candidate, or the end. It decides only; the caller does the I/O. Not thread-safe: one request,
 * one event loop.
 */
public final class ChainWalk {

    /** What to do after a failure. */
    public record Decision(Step step, long delayMillis) {
        public enum Step { RETRY, NEXT_CANDIDATE, GIVE_UP }

        static final Decision NEXT = new Decision(Step.NEXT_CANDIDATE, 0);
        static final Decision END = new Decision(Step.GIVE_UP, 0);
    }

    private final List<Candidate> chain = new ArrayList<>();
    /** The rest of the chain, until a failure makes it needed; null once it is in {@link #chain}. */
    private Supplier<List<Candidate>> fallbacks;
    private final RetryPolicy retries;
    private final List<String> tried = new ArrayList<>();
    private int index;
    private int attemptOnCandidate = 1;
    private int attempts;
    private UpstreamFailure lastFailure;
    /** The last failure a real attempt on the current candidate reported. */
    private UpstreamFailure lastAttemptFailure;
    private long circuitRetryAfterMillis;

    /** @param fallbacks the candidates after the first, asked for only if the first fails */
    public ChainWalk(Candidate first, Supplier<List<Candidate>> fallbacks, RetryPolicy retries) {
        this.chain.add(first);
        this.fallbacks = fallbacks;
        this.retries = retries;
    }

    public ChainWalk(List<Candidate> chain, RetryPolicy retries) {
        this(chain.get(0), () -> chain.subList(1, chain.size()), retries);
    }

    public Candidate current() {
        return chain.get(index);
    }

    /** Counts an upstream call about to be made. */
    public void attemptStarted() {
        attempts++;
    }

    /** The current candidate's attempt failed. */
    public Decision failed(UpstreamFailure failure, Optional<Duration> retryAfter) {
        lastAttemptFailure = failure;
        var delay = retries.nextDelayMillis(attemptOnCandidate, FailurePolicy.retryKind(failure), retryAfter);
        if (delay.isPresent()) {
            attemptOnCandidate++;
            return new Decision(Decision.Step.RETRY, Math.max(1, delay.getAsLong()));
        }
        return giveUpOnCurrent(failure);
    }

    /** The current candidate's circuit breaker refused the call; it opens again in {@code retryAfterMillis}. */
    public Decision refusedByBreaker(UpstreamFailure circuitOpen, long retryAfterMillis) {
        circuitRetryAfterMillis = Math.max(circuitRetryAfterMillis, retryAfterMillis);
        // A breaker that opened during this candidate's retries must not hide what really failed.
        boolean midRetries = attemptOnCandidate > 1 && lastAttemptFailure != null;
        return giveUpOnCurrent(midRetries ? lastAttemptFailure : circuitOpen);
    }

    /** The current candidate cannot be tried at all (its model could not be loaded): on to the next. */
    public Decision unavailable(UpstreamFailure failure) {
        return giveUpOnCurrent(failure);
    }

    private Decision giveUpOnCurrent(UpstreamFailure failure) {
        tried.add(current().label() + " (" + failure.message()
                + (attemptOnCandidate > 1 ? ", " + attemptOnCandidate + " attempts" : "") + ")");
        lastFailure = failure;
        if (!FailurePolicy.fallsBack(failure)) {
            return Decision.END;
        }
        if (fallbacks != null) {
            chain.addAll(fallbacks.get());
            fallbacks = null;
        }
        String failedBackend = current().client().backend().name();
        int failed = index;
        do {
            index++;
        } while (FailurePolicy.wholeBackend(failure) && index < chain.size()
                && chain.get(index).client().backend().name().equals(failedBackend));
        if (index >= chain.size()) {
            index = failed; // current() stays the last candidate tried, not one skipped with its backend
            return Decision.END;
        }
        attemptOnCandidate = 1;
        lastAttemptFailure = null;
        return Decision.NEXT;
    }

    public int attempts() {
        return attempts;
    }

    /** "model (why, N attempts)" for every candidate given up on, in order. */
    public List<String> tried() {
        return List.copyOf(tried);
    }

    public UpstreamFailure lastFailure() {
        return lastFailure;
    }

    /** When a circuit breaker refused a candidate: how long until it lets calls through again; else 0. */
    public long circuitRetryAfterMillis() {
        return circuitRetryAfterMillis;
    }

    /** The first local candidate of the chain as far as it was walked: the model to suggest loading. */
    public Optional<Candidate> firstLocal() {
        return chain.stream().filter(Candidate::local).findFirst();
    }
}
