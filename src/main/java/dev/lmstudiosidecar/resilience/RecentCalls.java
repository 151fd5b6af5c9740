package dev.lmstudiosidecar.resilience;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The record of one backend's recent calls that SmallRye's circuit breaker keeps to itself: how many of
 * the last {@code window} failed, why the latest did, since when every call has failed, and how long an
 * open breaker has left. Errors and the health check tell it ({@link BreakerDiagnosis}); the breaker
 * decides.
 *
 * <p>Plain Java and thread-safe. Time comes from the injected {@code nanoClock}, so tests can move it.
 */
final class RecentCalls {

    /** How many failure reasons a diagnosis remembers. */
    static final int REMEMBERED_FAILURES = 3;

    private final LongSupplier nanoClock;
    private final Duration openDuration;

    // All guarded by this.
    private final boolean[] failed; // the ring of outcomes
    private int recorded;
    private int next;
    private int failures;
    private final ArrayDeque<String> lastFailures = new ArrayDeque<>(REMEMBERED_FAILURES);
    /** When the current run of failures began (nanoClock), or -1 while the last outcome was a success. */
    private long failingSince = -1;
    /** When the breaker opened (nanoClock), or -1 while it is not open. */
    private long openedAt = -1;

    /**
     * @param window       how many of the latest outcomes the counts look at
     * @param openDuration how long an open breaker stays open
     */
    RecentCalls(int window, Duration openDuration, LongSupplier nanoClock) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1");
        }
        this.failed = new boolean[window];
        this.openDuration = openDuration;
        this.nanoClock = nanoClock;
    }

    Duration openDuration() {
        return openDuration;
    }

    synchronized void succeeded() {
        record(false);
        failingSince = -1;
    }

    /** @param why kept for the diagnosis (null: none known) */
    synchronized void failed(String why) {
        record(true);
        remember(why);
    }

    /** The breaker opened (or was kept open) now. */
    synchronized void opened(String why) {
        if (why != null) {
            remember(why);
        }
        openedAt = nanoClock.getAsLong();
    }

    /** The breaker is no longer open; once closed, old failures must not count against a backend that proved itself. */
    synchronized void notOpen(boolean closed) {
        openedAt = -1;
        if (closed) {
            Arrays.fill(failed, false);
            recorded = 0;
            next = 0;
            failures = 0;
        }
    }

    synchronized BreakerDiagnosis diagnosis() {
        long now = nanoClock.getAsLong();
        long failingFor = failingSince == -1 ? 0 : Math.max(1, (now - failingSince) / 1_000_000);
        List<String> newestFirst = new ArrayList<>(lastFailures.size());
        lastFailures.descendingIterator().forEachRemaining(newestFirst::add);
        return new BreakerDiagnosis(failures, recorded, List.copyOf(newestFirst), failingFor, openMillisLeft(now));
    }

    private long openMillisLeft(long now) {
        if (openedAt == -1) {
            return 0;
        }
        long remaining = openDuration.toNanos() - (now - openedAt);
        // Rounded up, and never 0 while open: a caller told 0 would retry straight into an open breaker.
        return Math.max(1, remaining / 1_000_000 + (remaining % 1_000_000 == 0 ? 0 : 1));
    }

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

    private void record(boolean failure) {
        if (recorded == failed.length) {
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
        next = (next + 1) % failed.length;
    }
}
