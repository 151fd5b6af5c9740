package dev.lmstudiosidecar.health;

import static dev.lmstudiosidecar.health.Listings.failed;
import static dev.lmstudiosidecar.health.Listings.listed;
import static dev.lmstudiosidecar.health.Listings.lmStudio;
import static dev.lmstudiosidecar.health.Listings.loaded;
import static dev.lmstudiosidecar.health.Listings.notLoaded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.models.ListingOutcome;
import dev.lmstudiosidecar.models.ModelInventory;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.resilience.BreakerDiagnosis;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReadinessRulesTest {

    private static final RequiredModels QWEN = RequiredModels.of(List.of("qwen"), List.of(), true);
    private static final BreakerDiagnosis QUIET = new BreakerDiagnosis(0, 0, List.of(), 0, 0);
    private static final CheckAssessor ASSESSOR = new CheckAssessor(0.25, 4);
    private static final ProviderHealth HEALTHY_CLOUD = new ProviderHealth("cloud", HealthStatus.HEALTHY, 30, List.of("gpt-4o-mini"),
            List.of("gpt-4o-mini"), List.of(), Listings.AT, null);
    private static final ProviderHealth FAILING_CLOUD = new ProviderHealth("cloud", HealthStatus.UNHEALTHY, 30, List.of(), List.of(),
            List.of("nothing listens"), Listings.AT, null);

    private static HealthSnapshot after(ListingOutcome listing, Optional<ProviderHealth> cloud) {
        RequiredModels.Evaluation required = listing.succeeded() ? QWEN.evaluate(listing.inventory()) : null;
        return new HealthSnapshot(ASSESSOR.lmStudio("lmstudio", listing, required, QUIET, null), listing.succeeded(), required, cloud);
    }

    private static HealthSnapshot listing(ModelInventory inventory) {
        return after(listed(inventory), Optional.empty());
    }

    private static final HealthSnapshot DOWN = after(failed(UpstreamFailure.Kind.UNREACHABLE, "Connection refused"), Optional.empty());

    private static ReadinessRules rules(ReadinessMode mode, boolean cloudCounts) {
        return new ReadinessRules(mode, cloudCounts, QWEN.source());
    }

    @Test
    void readyWhenLmStudioListsEveryRequiredModelLoaded() {
        ProbeVerdict verdict = rules(ReadinessMode.MODELS, false).judge(listing(lmStudio(loaded("qwen"))));
        assertTrue(verdict.up());
        assertEquals("models", verdict.data().get("mode"));
        assertEquals("loaded", verdict.data().get("lmstudio.model.qwen"));
        assertEquals("sidecar.readiness.required-models", verdict.data().get("lmstudio.required"));
        assertEquals("not configured (cloud.base-url)", verdict.data().get("cloud"));
        assertTrue(verdict.data().get("lmstudio").startsWith("healthy"), verdict.data().toString());
    }

    @Test
    void notReadyWhenARequiredModelIsNotLoadedAndTheDataSaysWhich() {
        ProbeVerdict verdict = rules(ReadinessMode.MODELS, false).judge(listing(lmStudio(notLoaded("qwen"))));
        assertFalse(verdict.up());
        assertEquals("not loaded", verdict.data().get("lmstudio.model.qwen"));
        assertEquals("LM Studio lacks what is required (sidecar.readiness.required-models): qwen not loaded", verdict.data().get("reason"));
    }

    @Test
    void notReadyWhenLmStudioDoesNotAnswer() {
        ProbeVerdict verdict = rules(ReadinessMode.MODELS, false).judge(DOWN);
        assertFalse(verdict.up());
        assertEquals("LM Studio does not answer: nothing listens at http://localhost:1234/v1: Connection refused", verdict.data().get("reason"));
    }

    @Test
    void notReadyBeforeTheFirstCheck() {
        ProbeVerdict verdict = rules(ReadinessMode.MODELS, true).judge(HealthSnapshot.beforeChecks("lmstudio", Optional.empty()));
        assertFalse(verdict.up());
        assertEquals("no health check of LM Studio has finished yet", verdict.data().get("reason"));
    }

    @Test
    void reachableModeAsksOnlyThatLmStudioLists() {
        ReadinessRules reachable = rules(ReadinessMode.REACHABLE, false);
        assertTrue(reachable.judge(listing(lmStudio(notLoaded("qwen")))).up());
        assertFalse(reachable.judge(DOWN).up());
    }

    @Test
    void alwaysModeIsReadyWhateverTheBackendsSayAndStillShowsThem() {
        ProbeVerdict verdict = rules(ReadinessMode.ALWAYS, false).judge(DOWN);
        assertTrue(verdict.up());
        assertTrue(verdict.data().get("lmstudio").startsWith("unhealthy: nothing listens"), verdict.data().toString());
    }

    @Test
    void aHealthyCloudKeepsThePodReadyWhileLmStudioIsDownWhenItCounts() {
        HealthSnapshot lmStudioDown = after(failed(UpstreamFailure.Kind.UNREACHABLE, "Connection refused"), Optional.of(HEALTHY_CLOUD));
        ProbeVerdict counted = rules(ReadinessMode.MODELS, true).judge(lmStudioDown);
        assertTrue(counted.up());
        assertTrue(counted.data().get("reason").endsWith("the cloud provider is healthy and takes over"
                + " (lmstudio.enable-cloud-fallback, sidecar.readiness.cloud-counts)"), counted.data().get("reason"));
        ProbeVerdict notCounted = rules(ReadinessMode.MODELS, false).judge(lmStudioDown);
        assertFalse(notCounted.up());
        assertTrue(notCounted.data().get("reason").contains("the cloud provider does not count"), notCounted.data().get("reason"));
    }

    @Test
    void anUnhealthyCloudDoesNotTakeOver() {
        HealthSnapshot bothDown = after(failed(UpstreamFailure.Kind.UNREACHABLE, "Connection refused"), Optional.of(FAILING_CLOUD));
        ProbeVerdict verdict = rules(ReadinessMode.MODELS, true).judge(bothDown);
        assertFalse(verdict.up());
        assertTrue(verdict.data().get("reason").endsWith("the cloud provider cannot take over: it is unhealthy"), verdict.data().get("reason"));
    }

    @Test
    void aFailedTestCompletionMakesThePodNotReadyInModelsMode() {
        ModelInventory fine = lmStudio(loaded("qwen"));
        RequiredModels.Evaluation required = QWEN.evaluate(fine);
        ProviderHealth unhealthy = ASSESSOR.lmStudio("lmstudio", listed(fine), required, QUIET,
                new TestCompletionResult(Listings.AT, TestCompletionResult.Outcome.FAILED, "HTTP 500"));
        HealthSnapshot snapshot = new HealthSnapshot(unhealthy, true, required, Optional.empty());
        assertFalse(rules(ReadinessMode.MODELS, false).judge(snapshot).up());
        assertTrue(rules(ReadinessMode.REACHABLE, false).judge(snapshot).up(), "reachable is all that mode asks");
    }

    @Test
    void theModeIsReadByNameAndAWrongOneNamesTheRightOnes() {
        assertEquals(ReadinessMode.REACHABLE, ReadinessMode.parse(" Reachable "));
        IllegalArgumentException wrong = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ReadinessMode.parse("loaded"));
        assertEquals("sidecar.readiness.mode 'loaded' is not one of models, reachable, always", wrong.getMessage());
    }
}
