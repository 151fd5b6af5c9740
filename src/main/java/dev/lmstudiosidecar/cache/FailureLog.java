package dev.lmstudiosidecar.cache;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * One WARN per kind of failure: a tier that fails, fails on every call, and a line per request would bury
 * the log. The first of each kind says what happened and why; the rest are left out.
 */
final class FailureLog {

    private static final Logger LOG = Logger.getLogger(InfinispanResponseStore.class);

    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    /** Logs {@code message} with its cause if no failure of {@code kind} was logged yet. */
    void warnOnce(String kind, String message, Throwable cause) {
        if (logged.add(kind)) {
            LOG.warnf("%s: %s (further failures of this kind are not logged)", message, describe(cause));
        }
    }

    /** Whether a failure of {@code kind} was logged (tests look). */
    boolean logged(String kind) {
        return logged.contains(kind);
    }

    /** How many kinds were logged. */
    int kindsLogged() {
        return logged.size();
    }

    /** The innermost cause's message: Infinispan wraps the I/O error that says what is wrong several times. */
    static String describe(Throwable failure) {
        if (failure == null) {
            return "no cause given";
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // The root first: "Magic byte was: 61" says more than the three wrappers Infinispan puts around it.
        String described = root.getClass().getSimpleName() + ": " + root.getMessage();
        return root == failure ? described : described + " (in " + failure.getClass().getSimpleName() + ")";
    }
}
