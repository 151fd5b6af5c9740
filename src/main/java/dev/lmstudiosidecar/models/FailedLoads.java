package dev.lmstudiosidecar.models;

import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailure.Kind;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Loads that failed, per model, and how long each holds the next one back. A load LM Studio
 * refused is not tried again by every request for the model (each would wait a listing and a
 * refusal before falling back), only after {@code backOff}. A load that timed out or lost its
 * connection after it was sent may still run in LM Studio: for {@code mayStillRun} no load of the
 * model is started at all, the admin's included, as it would be a second copy. Thread-safe.
 */
final class FailedLoads {

    private record Failure(long untilNanos, UpstreamFailure failure, boolean mayStillRun) {
    }

    private final ConcurrentHashMap<String, Failure> byKey = new ConcurrentHashMap<>();
    private final long backOffNanos;
    private final long mayStillRunNanos;
    private final LongSupplier nanoClock;

    FailedLoads(Duration backOff, Duration mayStillRun, LongSupplier nanoClock) {
        this.backOffNanos = backOff.toNanos();
        this.mayStillRunNanos = mayStillRun.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Remembers a failed load; one that never reached LM Studio (down, or every connection busy) holds nothing back. */
    void record(String key, UpstreamFailure failure) {
        if (failure.kind() == Kind.UNREACHABLE || failure.kind() == Kind.POOL_EXHAUSTED) {
            return;
        }
        boolean mayStillRun = failure.kind() == Kind.TIMEOUT || failure.kind() == Kind.CONNECTION_LOST;
        byKey.put(key, new Failure(nanoClock.getAsLong() + (mayStillRun ? mayStillRunNanos : backOffNanos), failure, mayStillRun));
    }

    /** The model loaded after all (a load succeeded, or a listing shows it). */
    void clear(String key) {
        byKey.remove(key);
    }

    /** Why a request must not start a load of {@code key} now, if it must not. */
    Optional<UpstreamFailure> holdingBack(String key) {
        return active(key).map(failure -> explained(key, failure));
    }

    /** Why no load of {@code key} may start now, whoever asks: an earlier one may still run in LM Studio. */
    Optional<UpstreamFailure> mayStillRun(String key) {
        return active(key).filter(Failure::mayStillRun).map(failure -> explained(key, failure));
    }

    private Optional<Failure> active(String key) {
        Failure failure = byKey.get(key);
        if (failure == null) {
            return Optional.empty();
        }
        if (failure.untilNanos() - nanoClock.getAsLong() <= 0) {
            byKey.remove(key, failure);
            return Optional.empty();
        }
        return Optional.of(failure);
    }

    private UpstreamFailure explained(String key, Failure failure) {
        long seconds = Math.max(1, (failure.untilNanos() - nanoClock.getAsLong() + 999_999_999L) / 1_000_000_000L);
        String why = failure.mayStillRun()
                ? "an earlier load of " + key + " did not finish (" + failure.failure().message() + ") and LM Studio may still be"
                + " loading it; the sidecar starts no second copy for another " + seconds + " s"
                : "an earlier load of " + key + " failed (" + failure.failure().message() + "); the next try is in " + seconds + " s";
        return failure.failure().withMessage(why);
    }
}
