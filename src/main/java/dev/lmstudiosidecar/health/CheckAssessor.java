package dev.lmstudiosidecar.health;

import dev.lmstudiosidecar.models.DiscoveredModel;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadState;
import dev.lmstudiosidecar.models.ListingOutcome;
import dev.lmstudiosidecar.models.ModelInventory;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.resilience.BreakerDiagnosis;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns what a check learned of a backend into its {@link ProviderHealth}: unhealthy when it did not
 * answer its check (or could not generate), degraded when it answered but lacks a required model or
 * too many of its recent calls failed, else healthy.
 */
public final class CheckAssessor {

    private final double degradedErrorRatio;
    private final int minimumCalls;

    /**
     * @param degradedErrorRatio the share of failed calls in a breaker's window that degrades a backend
     * @param minimumCalls       calls the window must hold before that share counts
     */
    public CheckAssessor(double degradedErrorRatio, int minimumCalls) {
        this.degradedErrorRatio = degradedErrorRatio;
        this.minimumCalls = minimumCalls;
    }

    /**
     * @param required what readiness requires of its models, as the listing met it (ignored when the listing failed)
     * @param recent   its circuit breaker's window
     * @param test     the last test completion; null when none is made
     */
    public ProviderHealth lmStudio(String backend, ListingOutcome listing, RequiredModels.Evaluation required,
                                   BreakerDiagnosis recent, TestCompletionResult test) {
        if (!listing.succeeded()) {
            return unanswered(backend, listing);
        }
        List<String> errors = new ArrayList<>();
        for (RequiredModels.Check unmet : required.unmet()) {
            errors.add((unmet.what().equals(RequiredModels.ANY_CHAT_MODEL) ? "a chat model is required: " : "required model " + unmet.what() + ": ")
                    + unmet.state());
        }
        recentErrors(recent).ifPresent(errors::add);
        HealthStatus status = errors.isEmpty() ? HealthStatus.HEALTHY : HealthStatus.DEGRADED;
        Boolean testPassed = null;
        if (test != null) {
            testPassed = test.passed();
            if (test.outcome() == TestCompletionResult.Outcome.FAILED) {
                status = HealthStatus.UNHEALTHY;
                errors.add(0, "the test completion failed: " + test.detail());
            } else if (test.outcome() == TestCompletionResult.Outcome.SKIPPED) {
                status = status == HealthStatus.HEALTHY ? HealthStatus.DEGRADED : status;
                errors.add("no test completion: " + test.detail());
            }
        }
        return answered(backend, status, listing, errors, testPassed);
    }

    /** A cloud provider: its listing ({@code GET /models}) and its circuit breaker's window. A 429 there is no outage. */
    public ProviderHealth cloud(String backend, ListingOutcome probe, BreakerDiagnosis recent) {
        if (!probe.succeeded()) {
            UpstreamFailure failure = probe.failure();
            return failure.kind() == UpstreamFailure.Kind.REJECTED && failure.upstreamStatus() == 429
                    ? new ProviderHealth(backend, HealthStatus.DEGRADED, probe.tookMillis(), List.of(), List.of(),
                            List.of(failure.message()), probe.finishedAt(), null)
                    : unanswered(backend, probe);
        }
        List<String> errors = recentErrors(recent).map(List::of).orElse(List.of());
        return answered(backend, errors.isEmpty() ? HealthStatus.HEALTHY : HealthStatus.DEGRADED, probe, errors, null);
    }

    /** "6 of the last 20 calls failed (the last: HTTP 500)", once the window holds enough calls and enough of them failed. */
    Optional<String> recentErrors(BreakerDiagnosis recent) {
        if (recent.calls() < minimumCalls || recent.calls() == 0 || (double) recent.failures() / recent.calls() < degradedErrorRatio) {
            return Optional.empty();
        }
        return Optional.of(recent.failures() + " of the last " + recent.calls() + " calls failed"
                + (recent.lastFailures().isEmpty() ? "" : " (the last: " + recent.lastFailures().get(0) + ")"));
    }

    private static ProviderHealth unanswered(String backend, ListingOutcome check) {
        UpstreamFailure failure = check.failure();
        String what = check.nothingListens() ? "nothing listens at " : "cannot list the models at ";
        return new ProviderHealth(backend, HealthStatus.UNHEALTHY, check.tookMillis(), List.of(), List.of(),
                List.of(what + failure.backend().openAiBase() + ": " + failure.message()), check.finishedAt(), null);
    }

    private static ProviderHealth answered(String backend, HealthStatus status, ListingOutcome check, List<String> errors, Boolean testPassed) {
        ModelInventory inventory = check.inventory();
        List<String> available = inventory.models().stream().map(DiscoveredModel::key).toList();
        // A server that does not say what is loaded (llama.cpp, vLLM, a cloud) serves what it lists.
        List<String> loaded = inventory.models().stream().filter(model -> model.state() != LoadState.NOT_LOADED)
                .map(DiscoveredModel::key).toList();
        return new ProviderHealth(backend, status, check.tookMillis(), available, loaded, errors, check.finishedAt(), testPassed);
    }
}
