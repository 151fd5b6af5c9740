package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.resilience.FailurePolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One request's way down its fallback chain: which candidate is up, how many attempts were made,
 * and, once a candidate's guard gave up on it (its retries spent or ruled out, or its breaker open),
 * what comes next: the next candidate, or the end. It decides only; the caller does the I/O. Not
 * thread-safe: one request, one event loop.
 */
public final class ChainWalk {

    /** What to do after a candidate failed. */
    public enum Decision { NEXT_CANDIDATE, GIVE_UP }

    private final List<Candidate> chain = new ArrayList<>();
    /** The rest of the chain, until a failure makes it needed; null once it is in {@link #chain}. */
    private Supplier<List<Candidate>> fallbacks;
    private final List<String> tried = new ArrayList<>();
    private int index;
    private int attemptOnCandidate;
    /** Attempts at the current candidate's model, on every host it was tried on: one retry budget for them all. */
    private int attemptsOnModel;
    /** Backends a failure ruled out whole (nothing listens there): no later candidate of theirs is tried. */
    private final Set<String> backendsDown = new HashSet<>();
    private int maxAttemptsOnModel = Integer.MAX_VALUE;
    private int attempts;
    private UpstreamFailure lastFailure;
    /** The last failure a real attempt on the current candidate reported. */
    private UpstreamFailure lastAttemptFailure;
    private long circuitRetryAfterMillis;

    /** @param fallbacks the candidates after the first, asked for only if the first fails */
    public ChainWalk(Candidate first, Supplier<List<Candidate>> fallbacks) {
        this.chain.add(first);
        this.fallbacks = fallbacks;
    }

    public ChainWalk(List<Candidate> chain) {
        this(chain.get(0), () -> chain.subList(1, chain.size()));
    }

    public Candidate current() {
        return chain.get(index);
    }

    /** Counts an upstream call about to be made to the current candidate. */
    public void attemptStarted() {
        attempts++;
        attemptOnCandidate++;
        attemptsOnModel++;
    }

    /** Whether the attempt about to start is a retry of the current candidate. */
    public boolean retrying() {
        return attemptOnCandidate > 0;
    }

    /**
     * One attempt at the current candidate failed. Whether its guard may retry it here: not once the model's attempts,
     * over every host it was tried on, reach {@code maxAttemptsOnModel} (one retry budget for them all); nor while
     * another host has the model next in the chain: the request goes there at once instead (hand-over), and the
     * model's alternatives only after.
     */
    public boolean attemptFailed(UpstreamFailure failure, int maxAttemptsOnModel) {
        lastAttemptFailure = failure;
        this.maxAttemptsOnModel = maxAttemptsOnModel;
        if (attemptsOnModel >= maxAttemptsOnModel) {
            return false;
        }
        loadFallbacks();
        for (int next = nextIndex(index); next < chain.size() && sameModelElsewhere(chain.get(next)); next++) {
            if (chain.get(next).provider().healthy()) {
                return false; // handed over; a host found down would only refuse it, and spend this host's retries
            }
        }
        return true;
    }

    /** The current candidate's model on another LM Studio host: the same request, not a stand-in. */
    private boolean sameModelElsewhere(Candidate other) {
        return other.local() && current().local() && Objects.equals(other.model(), current().model());
    }

    private void loadFallbacks() {
        if (fallbacks != null) {
            chain.addAll(fallbacks.get());
            fallbacks = null;
        }
    }

    /** The current candidate failed for good: its last attempt failed with {@code failure}. */
    public Decision failed(UpstreamFailure failure) {
        return giveUpOnCurrent(failure);
    }

    /** The current candidate's circuit breaker refused the call; it opens again in {@code retryAfterMillis}. */
    public Decision refusedByBreaker(UpstreamFailure circuitOpen, long retryAfterMillis) {
        circuitRetryAfterMillis = Math.max(circuitRetryAfterMillis, retryAfterMillis);
        // A breaker that opened during this candidate's retries must not hide what really failed.
        boolean midRetries = attemptOnCandidate > 0 && lastAttemptFailure != null;
        return giveUpOnCurrent(midRetries ? lastAttemptFailure : circuitOpen);
    }

    /** The current candidate cannot be tried at all (its model could not be loaded): on to the next. */
    public Decision unavailable(UpstreamFailure failure) {
        return giveUpOnCurrent(failure);
    }

    private Decision giveUpOnCurrent(UpstreamFailure failure) {
        tried.add(current().label() + onHost(current()) + " (" + failure.message()
                + (attemptOnCandidate > 1 ? ", " + attemptOnCandidate + " attempts" : "") + ")");
        lastFailure = failure;
        if (!FailurePolicy.fallsBack(failure)) {
            return Decision.GIVE_UP;
        }
        loadFallbacks();
        if (FailurePolicy.wholeBackend(failure)) {
            backendsDown.add(current().provider().backend().name());
        }
        int next = nextIndex(index);
        if (next >= chain.size()) {
            return Decision.GIVE_UP; // current() stays the last candidate tried, not one skipped with its backend
        }
        if (!sameModelElsewhere(chain.get(next))) {
            attemptsOnModel = 0;
        }
        index = next;
        attemptOnCandidate = 0;
        lastAttemptFailure = null;
        return Decision.NEXT_CANDIDATE;
    }

    /**
     * The next candidate after {@code from} worth trying: not on a backend found down, nor the current model on
     * another host once the model's retry budget is spent.
     */
    private int nextIndex(int from) {
        boolean budgetSpent = attemptsOnModel >= maxAttemptsOnModel;
        int next = from + 1;
        while (next < chain.size() && (backendsDown.contains(chain.get(next).provider().backend().name())
                || budgetSpent && sameModelElsewhere(chain.get(next)))) {
            next++;
        }
        return next;
    }

    public int attempts() {
        return attempts;
    }

    /** " on gpu-a" for a model on a named LM Studio host; nothing for the one host of lmstudio.base-url, or the cloud. */
    private static String onHost(Candidate candidate) {
        String host = candidate.provider().backend().name();
        return candidate.local() && !host.equals(Backend.LMSTUDIO) ? " on " + host : "";
    }

    /** "model (why, N attempts)" for every candidate given up on, in order; "model on host (...)" with several hosts. */
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
