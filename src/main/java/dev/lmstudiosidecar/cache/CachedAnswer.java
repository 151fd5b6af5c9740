package dev.lmstudiosidecar.cache;

import java.util.Objects;

/**
 * One stored answer: what a later identical request is answered with.
 *
 * @param model              the model that answered (said again on a hit, in {@code X-Sidecar-Model})
 * @param kind               how it was recorded: a whole JSON body, or the SSE stream as relayed
 * @param body               {@link Kind#PLAIN}: the JSON body; {@link Kind#STREAM}: the SSE bytes the client got,
 *                           from the first event to {@code data: [DONE]} (a usage chunk the sidecar asked for left out)
 * @param createdEpochMillis when it was stored (a hit's {@code Age})
 * @param generationMillis   how long the upstream took to produce it (what the persistence rule looks at)
 */
public record CachedAnswer(String model, Kind kind, byte[] body, long createdEpochMillis, long generationMillis) {

    public enum Kind { PLAIN, STREAM }

    public CachedAnswer {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(body, "body");
    }

    /** What the entry weighs in a tier's byte budget (the body dominates). */
    public long weight() {
        return body.length + model.length() + 32L;
    }
}
