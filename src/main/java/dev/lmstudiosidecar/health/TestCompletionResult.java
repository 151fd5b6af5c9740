package dev.lmstudiosidecar.health;

import java.time.Instant;
import java.util.Objects;

/**
 * How the last one-token test completion went ({@code lmstudio.health-check.test-completion}).
 *
 * @param detail why it failed or did not run; null when it passed
 */
public record TestCompletionResult(Instant at, Outcome outcome, String detail) {

    public enum Outcome {
        PASSED,
        /** LM Studio did not generate: it is unhealthy, whatever its listing says. */
        FAILED,
        /** Not run: the test model is not loaded, and a test would load it. */
        SKIPPED
    }

    public TestCompletionResult {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(outcome, "outcome");
    }

    /** The seed's {@code testCompletion}: true or false when one ran, null when none did. */
    public Boolean passed() {
        return outcome == Outcome.SKIPPED ? null : outcome == Outcome.PASSED;
    }
}
