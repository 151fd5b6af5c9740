package dev.lmstudiosidecar.health;

import static dev.lmstudiosidecar.health.Listings.AT;
import static dev.lmstudiosidecar.health.Listings.embedding;
import static dev.lmstudiosidecar.health.Listings.failed;
import static dev.lmstudiosidecar.health.Listings.inventory;
import static dev.lmstudiosidecar.health.Listings.listed;
import static dev.lmstudiosidecar.health.Listings.lmStudio;
import static dev.lmstudiosidecar.health.Listings.loaded;
import static dev.lmstudiosidecar.health.Listings.namesOnly;
import static dev.lmstudiosidecar.health.Listings.notLoaded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.models.DiscoveryApi;
import dev.lmstudiosidecar.models.ListingOutcome;
import dev.lmstudiosidecar.models.ModelInventory;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.resilience.BreakerDiagnosis;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckAssessorTest {

    /** Degraded from a quarter of the calls failing, once the window holds 4. */
    private final CheckAssessor assessor = new CheckAssessor(0.25, 4);
    private static final BreakerDiagnosis QUIET = new BreakerDiagnosis(0, 0, List.of(), 0, 0);
    private static final RequiredModels QWEN = RequiredModels.of(List.of("qwen"), List.of(), true);

    private ProviderHealth assess(ModelInventory inventory, BreakerDiagnosis recent, TestCompletionResult test) {
        return assessor.lmStudio("lmstudio", listed(inventory), QWEN.evaluate(inventory), recent, test);
    }

    @Test
    void aListingWithEveryRequiredModelLoadedIsHealthy() {
        ProviderHealth health = assess(lmStudio(loaded("qwen"), notLoaded("phi"), embedding("nomic", true)), QUIET, null);
        assertEquals(HealthStatus.HEALTHY, health.status());
        assertEquals(4, health.responseTime());
        assertEquals(List.of("qwen", "phi", "nomic"), health.availableModels());
        assertEquals(List.of("qwen", "nomic"), health.loadedModels());
        assertEquals(List.of(), health.errors());
        assertEquals(AT, health.lastCheck());
        assertNull(health.testCompletion(), "none ran");
    }

    @Test
    void aRequiredModelNotLoadedDegrades() {
        ProviderHealth health = assess(lmStudio(notLoaded("qwen")), QUIET, null);
        assertEquals(HealthStatus.DEGRADED, health.status());
        assertEquals(List.of("required model qwen: not loaded"), health.errors());
    }

    @Test
    void recentErrorsAboveTheRatioDegradeOnceTheWindowHoldsEnoughCalls() {
        ModelInventory fine = lmStudio(loaded("qwen"));
        BreakerDiagnosis oneInFour = new BreakerDiagnosis(1, 4, List.of("HTTP 500"), 0, 0);
        ProviderHealth degraded = assess(fine, oneInFour, null);
        assertEquals(HealthStatus.DEGRADED, degraded.status());
        assertEquals(List.of("1 of the last 4 calls failed (the last: HTTP 500)"), degraded.errors());
        assertEquals(HealthStatus.HEALTHY, assess(fine, new BreakerDiagnosis(1, 5, List.of("HTTP 500"), 0, 0), null).status(),
                "below the ratio");
        assertEquals(HealthStatus.HEALTHY, assess(fine, new BreakerDiagnosis(3, 3, List.of("HTTP 500"), 5, 0), null).status(),
                "too few calls to tell");
    }

    @Test
    void aFailedListingIsUnhealthyAndSaysWhereAndWhy() {
        ProviderHealth refused = assessor.lmStudio("lmstudio", failed(UpstreamFailure.Kind.UNREACHABLE, "Connection refused"), null, QUIET, null);
        assertEquals(HealthStatus.UNHEALTHY, refused.status());
        assertEquals(List.of("nothing listens at http://localhost:1234/v1: Connection refused"), refused.errors());
        assertEquals(List.of(), refused.availableModels());
        assertEquals(2, refused.responseTime());
        ProviderHealth timedOut = assessor.lmStudio("lmstudio", failed(UpstreamFailure.Kind.TIMEOUT, "no answer within 5000 ms"), null, QUIET, null);
        assertEquals(HealthStatus.UNHEALTHY, timedOut.status());
        assertEquals(List.of("cannot list the models at http://localhost:1234/v1: no answer within 5000 ms"), timedOut.errors());
    }

    @Test
    void aFailedTestCompletionMakesAListingServerUnhealthy() {
        ProviderHealth health = assess(lmStudio(loaded("qwen")), QUIET,
                new TestCompletionResult(AT, TestCompletionResult.Outcome.FAILED, "HTTP 500"));
        assertEquals(HealthStatus.UNHEALTHY, health.status());
        assertEquals(List.of("the test completion failed: HTTP 500"), health.errors());
        assertEquals(Boolean.FALSE, health.testCompletion());
    }

    @Test
    void aPassedTestCompletionShowsAndASkippedOneDegrades() {
        ProviderHealth passed = assess(lmStudio(loaded("qwen")), QUIET, new TestCompletionResult(AT, TestCompletionResult.Outcome.PASSED, null));
        assertEquals(HealthStatus.HEALTHY, passed.status());
        assertEquals(Boolean.TRUE, passed.testCompletion());
        ProviderHealth skipped = assess(lmStudio(loaded("qwen")), QUIET,
                new TestCompletionResult(AT, TestCompletionResult.Outcome.SKIPPED, "the test model phi is not loaded"));
        assertEquals(HealthStatus.DEGRADED, skipped.status());
        assertNull(skipped.testCompletion());
        assertEquals(List.of("no test completion: the test model phi is not loaded"), skipped.errors());
    }

    @Test
    void aNamesOnlyServerServesEveryModelItLists() {
        ProviderHealth health = assess(inventory(DiscoveryApi.OPENAI, namesOnly("qwen")), QUIET, null);
        assertEquals(List.of("qwen"), health.loadedModels());
    }

    @Test
    void aCloudThatListsItsModelsIsHealthyAndARateLimitedOneDegraded() {
        Backend cloud = Backend.of("cloud", "https://api.example.com/v1");
        ProviderHealth listing = assessor.cloud("cloud", listed(inventory(DiscoveryApi.OPENAI, namesOnly("gpt-4o-mini"))), QUIET);
        assertEquals(HealthStatus.HEALTHY, listing.status());
        assertEquals(List.of("gpt-4o-mini"), listing.loadedModels());
        ProviderHealth limited = assessor.cloud("cloud", ListingOutcome.failed(AT, 3, new UpstreamFailure(UpstreamFailure.Kind.REJECTED, cloud,
                429, "GET /models answered HTTP 429", null, null)), QUIET);
        assertEquals(HealthStatus.DEGRADED, limited.status());
        ProviderHealth refused = assessor.cloud("cloud", ListingOutcome.failed(AT, 3, new UpstreamFailure(UpstreamFailure.Kind.REJECTED, cloud,
                401, "GET /models answered HTTP 401: check cloud.api-key", null, null)), QUIET);
        assertEquals(HealthStatus.UNHEALTHY, refused.status());
        assertTrue(refused.errors().get(0).contains("cloud.api-key"), refused.errors().toString());
    }

    @Test
    void theSummaryTellsTheStatusWhyAndWhen() {
        assertEquals("unknown: not checked yet", ProviderHealth.unknown("lmstudio").summary());
        assertEquals("degraded: required model qwen: not loaded (checked at 2026-12-01T12:00:00Z, 4 ms)",
                assess(lmStudio(notLoaded("qwen")), QUIET, null).summary());
    }
}
