package dev.lmstudiosidecar.resilience;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Stops sending calls to a backend that keeps failing, so callers fail fast (or fail over)
 * instead of each waiting out the same timeout. One per backend.
 *
 * <p>CLOSED: calls go through and their outcomes fill a ring of the last {@code windowSize}. Once
 * the ring holds at least {@code minimumCalls} outcomes and the share of failures reaches
 * {@code failureRatio}, the breaker opens. OPEN: no call goes through for {@code openDuration}.
 * HALF_OPEN: {@code halfOpenProbes} calls go through; if all succeed the breaker closes with an
 * empty window, and any failure opens it again for a fresh {@code openDuration}.
 *
 * <p>Time comes from the injected {@code nanoClock} (e.g. {@code System::nanoTime}), so tests can
 * move it by hand. The OPEN to HALF_OPEN step happens lazily, on the first call that looks.
 *
 * <p>A health check may know better than the window: {@link #openNow(String)} opens the breaker
 * when nothing listens at the backend's address, and {@link #halfOpenNow()} lets the probes through
 * as soon as the backend answers again, so that recovery follows the checks, not {@code openDuration}.
 *
 * <p>Plain Java and thread-safe. Outcomes carry no token, so the breaker cannot tell a probe's
 * outcome from a late one of a call let through before it opened. It does what it can: outcomes
 * reported while OPEN, or while HALF_OPEN with no probe outstanding, are dropped.
 */
public final class CircuitBreaker {

    public enum State { CLOSED, OPEN, HALF_OPEN }

    /**
     * What is known of the failures behind the breaker, for the words of an error and of a log line.
     *
     * @param failures         failed calls in the window
     * @param calls            calls in the window
     * @param lastFailures     why the latest calls failed, newest first (at most {@value #REMEMBERED_FAILURES})
     * @param failingForMillis how long every call has failed (since the first failure after the last success); 0 if one succeeded last
     * @param retryAfterMillis while OPEN, the milliseconds until it lets a call through again; else 0
     */
    public record Diagnosis(int failures, int calls, List<String> lastFailures, long failingForMillis, long retryAfterMillis) {

        /** E.g. "every call has failed for 42 s (the last: Connection refused); a call goes through again in 18 s". */
        public String summary() {
            StringBuilder text = new StringBuilder();
            if (failingForMillis > 0) {
                text.append("every call has failed for ").append(seconds(failingForMillis)).append(" s");
            } else {
                text.append(failures).append(" of the last ").append(calls).append(" calls failed");
            }
            if (!lastFailures.isEmpty()) {
                text.append(" (the last: ").append(String.join("; ", lastFailures)).append(')');
            }
            if (retryAfterMillis > 0) {
                text.append("; a call goes through again in ").append(seconds(retryAfterMillis)).append(" s");
            }
            return text.toString();
        }

        private static long seconds(long millis) {
            return Math.max(1, (millis + 999) / 1000);
        }
    }

    /** How many failure reasons a diagnosis remembers. */
    static final int REMEMBERED_FAILURES = 3;

    private final int windowSize;
    private final int minimumCalls;
    private final double failureRatio;
    private final long openNanos;
    private final int halfOpenProbes;
    private final LongSupplier nanoClock;

    // All guarded by this.
    private final boolean[] failed; // the ring of outcomes, CLOSED only
    private int recorded;
    private int next;
    private int failures;
    private State state = State.CLOSED;
    private long openedAt;
    private int probesLetThrough;
    private int probesOutstanding;
    private int probeSuccesses;
    private final ArrayDeque<String> lastFailures = new ArrayDeque<>(REMEMBERED_FAILURES);
    /** When the current run of failures began (nanoClock), or -1 while the last outcome was a success. */
    private long failingSince = -1;

    private volatile Consumer<State> listener;

    /**
     * @param windowSize how many of the latest outcomes the failure ratio looks at
     * @param minimumCalls how many outcomes the window needs before it may open the breaker, so
     *     that one early failure does not count as 100 %
     * @param failureRatio the share of failures, 0..1, at which the breaker opens
     * @param openDuration how long the breaker stays open before it lets probes through
     * @param halfOpenProbes how many calls HALF_OPEN lets through, and how many must succeed
     * @param nanoClock a monotonic clock in nanoseconds
     */
    public CircuitBreaker(int windowSize, int minimumCalls, double failureRatio, Duration openDuration,
            int halfOpenProbes, LongSupplier nanoClock) {
        if (windowSize < 1 || minimumCalls < 1 || minimumCalls > windowSize) {
            // A minimum beyond the window could never be met: the breaker would never open.
            throw new IllegalArgumentException("need 1 <= minimumCalls <= windowSize");
        }
        // Written so that NaN fails too.
        if (!(failureRatio >= 0 && failureRatio <= 1)) {
            throw new IllegalArgumentException("failureRatio must be within 0..1");
        }
        if (openDuration == null || openDuration.isNegative()) {
            throw new IllegalArgumentException("openDuration must be >= 0");
        }
        if (halfOpenProbes < 1) {
            throw new IllegalArgumentException("halfOpenProbes must be >= 1");
        }
        if (nanoClock == null) {
            throw new NullPointerException("nanoClock");
        }
        this.windowSize = windowSize;
        this.minimumCalls = minimumCalls;
        this.failureRatio = failureRatio;
        this.openNanos = openDuration.toNanos();
        this.halfOpenProbes = halfOpenProbes;
        this.nanoClock = nanoClock;
        this.failed = new boolean[windowSize];
    }

    /**
     * May a call go to the backend now? In OPEN this is false until openDuration has passed, then
     * the breaker turns HALF_OPEN and lets at most halfOpenProbes calls through. Every call this
     * permits must later report {@link #onSuccess()} or {@link #onFailure()}, or a HALF_OPEN
     * breaker waits for its probe for ever.
     */
    public boolean tryAcquire() {
        boolean permitted;
        State changed;
        synchronized (this) {
            changed = halfOpenIfDue();
            switch (state) {
                case CLOSED -> permitted = true;
                case OPEN -> permitted = false;
                default -> {
                    permitted = probesLetThrough < halfOpenProbes;
                    if (permitted) {
                        probesLetThrough++;
                        probesOutstanding++;
                    }
                }
            }
        }
        notifyListener(changed);
        return permitted;
    }

    /** A permitted call succeeded. In HALF_OPEN, the last of the probes succeeding closes it. */
    public void onSuccess() {
        State changed;
        synchronized (this) {
            changed = halfOpenIfDue();
            switch (state) {
                case CLOSED -> {
                    record(false);
                    failingSince = -1;
                }
                case HALF_OPEN -> {
                    if (probesOutstanding > 0) {
                        failingSince = -1;
                        probesOutstanding--;
                        if (++probeSuccesses >= halfOpenProbes) {
                            changed = close();
                        }
                    }
                }
                default -> { } // a call from before the breaker opened: it proves nothing now
            }
        }
        notifyListener(changed);
    }

    /** {@link #onFailure(String)} without a reason. */
    public void onFailure() {
        onFailure(null);
    }

    /**
     * A permitted call failed, for the reason given (kept for {@link #diagnosis()}; null: none known).
     * In CLOSED it may open the breaker; in HALF_OPEN it does, and the open duration starts again.
     */
    public void onFailure(String why) {
        State changed;
        synchronized (this) {
            changed = halfOpenIfDue();
            remember(why);
            switch (state) {
                case CLOSED -> {
                    record(true);
                    // Ratio by division: failures/recorded rounds to the same double as a
                    // ratio written as that fraction, so "exactly at the ratio" opens.
                    if (recorded >= minimumCalls && (double) failures / recorded >= failureRatio) {
                        changed = open();
                    }
                }
                case HALF_OPEN -> {
                    if (probesOutstanding > 0) {
                        changed = open();
                    }
                }
                default -> { } // already open: a late failure must not extend the wait
            }
        }
        notifyListener(changed);
    }

    /**
     * Opens the breaker now, whatever its window says, for a fresh {@code openDuration}: a health
     * check found nothing listening at the backend's address, so every call would fail to connect,
     * and waiting until {@code minimumCalls} requests had failed would make each of them wait out
     * its retries first. An open breaker stays open, its open duration started again (the evidence
     * is fresh), without a second transition. Probes let through while HALF_OPEN are given up:
     * their outcomes come in while OPEN and are dropped.
     *
     * @param why kept for {@link #diagnosis()}, like a failed call's reason (null: none known)
     * @return whether the breaker was not open before
     */
    public boolean openNow(String why) {
        State changed;
        synchronized (this) {
            // Due to half-open or not, an OPEN breaker stays OPEN: there is no transition to tell of.
            boolean wasOpen = state == State.OPEN;
            remember(why);
            changed = open();
            if (wasOpen) {
                changed = null;
            }
        }
        notifyListener(changed);
        return changed != null;
    }

    /**
     * Lets probes through now rather than at the end of {@code openDuration}: a health check found
     * the backend answering again, so the next call may as well find out whether it serves. Only an
     * OPEN breaker changes; the probes then decide, as after a wait.
     *
     * @return whether it was OPEN and is HALF_OPEN now
     */
    public boolean halfOpenNow() {
        State changed = null;
        synchronized (this) {
            if (state == State.OPEN) {
                changed = halfOpen();
            }
        }
        notifyListener(changed);
        return changed != null;
    }

    /**
     * A permitted call ended without telling anything about the backend (its client went away
     * first). In HALF_OPEN its probe slot is given back, so the breaker does not wait for ever
     * for an outcome that will never come.
     */
    public void release() {
        synchronized (this) {
            if (state == State.HALF_OPEN && probesOutstanding > 0) {
                probesOutstanding--;
                probesLetThrough--;
            }
        }
    }

    /** The state now; HALF_OPEN as soon as openDuration has passed, so a metric shows it. */
    public State state() {
        State now;
        State changed;
        synchronized (this) {
            changed = halfOpenIfDue();
            now = state;
        }
        notifyListener(changed);
        return now;
    }

    /** While OPEN, the milliseconds until the breaker half-opens, at least 1; otherwise 0. */
    public long retryAfterMillis() {
        long millis;
        State changed;
        synchronized (this) {
            changed = halfOpenIfDue();
            millis = openMillisLeft();
        }
        notifyListener(changed);
        return millis;
    }

    /** What is known of the failures now: for an error's message or the log line of a transition. */
    public Diagnosis diagnosis() {
        Diagnosis diagnosis;
        State changed;
        synchronized (this) {
            changed = halfOpenIfDue();
            long failingFor = failingSince == -1 ? 0 : Math.max(1, (nanoClock.getAsLong() - failingSince) / 1_000_000);
            List<String> newestFirst = new ArrayList<>(lastFailures.size());
            lastFailures.descendingIterator().forEachRemaining(newestFirst::add);
            diagnosis = new Diagnosis(failures, recorded, List.copyOf(newestFirst), failingFor, openMillisLeft());
        }
        notifyListener(changed);
        return diagnosis;
    }

    private long openMillisLeft() {
        if (state != State.OPEN) {
            return 0;
        }
        long remaining = openNanos - (nanoClock.getAsLong() - openedAt);
        // Rounded up: a caller told 0 would retry straight into an open breaker.
        return Math.max(1, remaining / 1_000_000 + (remaining % 1_000_000 == 0 ? 0 : 1));
    }

    /**
     * Sets the one listener told of every transition (replacing any earlier one; null removes
     * it). It runs outside the lock on the thread that caused the transition, so two transitions
     * on two threads may reach it out of order; {@link #state()} has the last word.
     */
    public void onStateChange(Consumer<State> listener) {
        this.listener = listener;
    }

    private State halfOpenIfDue() {
        // Subtraction, not comparison of instants: nanoTime values may overflow.
        if (state == State.OPEN && nanoClock.getAsLong() - openedAt >= openNanos) {
            return halfOpen();
        }
        return null;
    }

    private State halfOpen() {
        state = State.HALF_OPEN;
        probesLetThrough = 0;
        probesOutstanding = 0;
        probeSuccesses = 0;
        return State.HALF_OPEN;
    }

    /** Keeps a failure's reason and starts the run of failures, if none is under way. */
    private void remember(String why) {
        if (why != null) {
            if (lastFailures.size() == REMEMBERED_FAILURES) {
                lastFailures.removeFirst();
            }
            lastFailures.addLast(why);
        }
        if (failingSince == -1) {
            failingSince = nanoClock.getAsLong();
        }
    }

    private State open() {
        state = State.OPEN;
        openedAt = nanoClock.getAsLong();
        return State.OPEN;
    }

    private State close() {
        state = State.CLOSED;
        // Old failures must not count against the backend that just proved itself.
        Arrays.fill(failed, false);
        recorded = 0;
        next = 0;
        failures = 0;
        return State.CLOSED;
    }

    private void record(boolean failure) {
        if (recorded == windowSize) {
            if (failed[next]) {
                failures--; // the oldest outcome leaves the window
            }
        } else {
            recorded++;
        }
        failed[next] = failure;
        if (failure) {
            failures++;
        }
        next = (next + 1) % windowSize;
    }

    private void notifyListener(State changed) {
        Consumer<State> current = listener;
        if (changed != null && current != null) {
            current.accept(changed);
        }
    }
}
