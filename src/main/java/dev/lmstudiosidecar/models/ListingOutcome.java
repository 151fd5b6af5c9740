package dev.lmstudiosidecar.models;

import dev.lmstudiosidecar.provider.UpstreamFailure;
import java.time.Instant;
import java.util.Objects;

/**
 * How one model listing ended, success or failure. The listing that discovery makes every
 * {@code health-check-interval} is also the health check of the server: this is what the check learns.
 *
 * @param finishedAt when it ended
 * @param tookMillis from its first request to its end (a search for the richest listing included)
 * @param inventory  what it published; null when it failed
 * @param failure    why it failed; null when it succeeded
 */
public record ListingOutcome(Instant finishedAt, long tookMillis, ModelInventory inventory, UpstreamFailure failure) {

    public ListingOutcome {
        Objects.requireNonNull(finishedAt, "finishedAt");
        if ((inventory == null) == (failure == null)) {
            throw new IllegalArgumentException("a listing has either an inventory or a failure");
        }
    }

    public static ListingOutcome listed(Instant finishedAt, long tookMillis, ModelInventory inventory) {
        return new ListingOutcome(finishedAt, tookMillis, Objects.requireNonNull(inventory, "inventory"), null);
    }

    public static ListingOutcome failed(Instant finishedAt, long tookMillis, UpstreamFailure failure) {
        return new ListingOutcome(finishedAt, tookMillis, null, Objects.requireNonNull(failure, "failure"));
    }

    public boolean succeeded() {
        return failure == null;
    }

    /**
     * Nothing listens at the server's address (the connection was refused, or could not be made):
     * unlike a timeout or a 5xx, which a busy server answers too, every call would fail the same way.
     */
    public boolean nothingListens() {
        return failure != null && failure.kind() == UpstreamFailure.Kind.UNREACHABLE;
    }
}
