package dev.lmstudiosidecar.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Turns model names into tag values without letting clients grow the number of series: a name
 * becomes a tag value of its own only when it is real (the server lists it, or it answered a
 * request) and fewer than {@code cap} names have been taken; everything else is {@value #OTHER}.
 * A client that asks for made-up models gets 404s tagged {@value #OTHER}, and cannot use up the
 * names the real models need. Thread-safe; a name already taken costs one set lookup.
 */
public final class ModelTags {

    public static final String OTHER = "other";
    /** No model was named or answered (a body that could not be read, an error before any answer). */
    public static final String NONE = "none";

    private final int cap;
    private final Predicate<String> listed;
    private final Set<String> taken = ConcurrentHashMap.newKeySet();

    /** @param listed whether the server (or the configuration) knows a model by this name */
    public ModelTags(int cap, Predicate<String> listed) {
        if (cap < 1) {
            throw new IllegalArgumentException("the cap of model tag values must be at least 1, not " + cap);
        }
        this.cap = cap;
        this.listed = listed;
    }

    /** @param answered the model answered a request under this name, which proves it real */
    public String of(String model, boolean answered) {
        if (model == null) {
            return NONE;
        }
        if (taken.contains(model)) {
            return model;
        }
        if (taken.size() >= cap || !(answered || listed.test(model))) {
            return OTHER;
        }
        synchronized (this) {
            // Checked again under the lock: the set never holds more than cap names.
            if (taken.size() < cap) {
                taken.add(model);
            }
        }
        return taken.contains(model) ? model : OTHER;
    }
}
