package dev.lmstudiosidecar.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.BackendClient;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailure.Kind;
import dev.lmstudiosidecar.resilience.RetryPolicy;
import dev.lmstudiosidecar.routing.ChainWalk.Decision.Step;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChainWalkTest {

    private static Vertx vertx;
    private static BackendClient lmstudio;
    private static BackendClient cloud;

    /** Clients are only named here, never called: the walk decides, it does no I/O. */
    @BeforeAll
    static void clients() {
        vertx = Vertx.vertx();
        BackendClient.Settings settings = new BackendClient.Settings(1, 1, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
        lmstudio = new BackendClient(vertx, Backend.of("lmstudio", "http://127.0.0.1:1/v1"), settings, Optional.empty());
        cloud = new BackendClient(vertx, Backend.of("cloud", "http://127.0.0.1:2/v1"), settings, Optional.empty());
    }

    @AfterAll
    static void close() {
        vertx.close();
    }

    /** Two retries, 100 ms then 200 ms, no jitter. */
    private final RetryPolicy retries = new RetryPolicy(2, Duration.ofMillis(100), Duration.ofSeconds(10), 0.0, () -> 0.5);

    private final ChainWalk walk = new ChainWalk(List.of(
            new Candidate(lmstudio, "deepseek-coder-34b", false),
            new Candidate(lmstudio, "phi-3-mini", true),
            new Candidate(cloud, "gpt-4o-mini", true)), retries);

    private static UpstreamFailure failure(Kind kind, int status) {
        return new UpstreamFailure(kind, lmstudio.backend(), status, kind + " happened", null, null);
    }

    @Test
    void retriesTheSameCandidateWhileThePolicyAllowsThenMovesOn() {
        UpstreamFailure serverError = failure(Kind.SERVER_ERROR, 500);
        assertEquals(new ChainWalk.Decision(Step.RETRY, 100), walk.failed(serverError, Optional.empty()));
        assertEquals(new ChainWalk.Decision(Step.RETRY, 200), walk.failed(serverError, Optional.empty()));
        assertEquals(Step.NEXT_CANDIDATE, walk.failed(serverError, Optional.empty()).step());
        assertEquals("phi-3-mini", walk.current().model());
        assertEquals(List.of("deepseek-coder-34b (SERVER_ERROR happened, 3 attempts)"), walk.tried());
    }

    @Test
    void aMissingModelMovesOnWithoutRetrying() {
        assertEquals(Step.NEXT_CANDIDATE, walk.failed(failure(Kind.MODEL_NOT_FOUND, 404), Optional.empty()).step());
        assertEquals("phi-3-mini", walk.current().model());
    }

    @Test
    void anUnreachableBackendSkipsItsOtherModels() {
        ChainWalk noRetries = new ChainWalk(List.of(
                new Candidate(lmstudio, "deepseek-coder-34b", false),
                new Candidate(lmstudio, "phi-3-mini", true),
                new Candidate(cloud, "gpt-4o-mini", true)), new RetryPolicy(0, Duration.ofMillis(1), Duration.ofSeconds(1), 0, () -> 0.5));
        assertEquals(Step.NEXT_CANDIDATE, noRetries.failed(failure(Kind.UNREACHABLE, 0), Optional.empty()).step());
        assertEquals("gpt-4o-mini", noRetries.current().model(), "phi-3-mini lives on the same unreachable LM Studio");
    }

    @Test
    void aWalkEndedBySkippingAnUnreachableBackendStaysOnTheCandidateTried() {
        ChainWalk localOnly = new ChainWalk(List.of(
                new Candidate(lmstudio, "qwen2.5-7b-instruct", false),
                new Candidate(lmstudio, "phi-3-mini", true)), retries);
        assertEquals(Step.GIVE_UP, localOnly.refusedByBreaker(failure(Kind.CIRCUIT_OPEN, 0), 30_000).step());
        assertEquals("qwen2.5-7b-instruct", localOnly.current().model(), "phi-3-mini was skipped, never tried");
        assertEquals(List.of("qwen2.5-7b-instruct (CIRCUIT_OPEN happened)"), localOnly.tried());
    }

    @Test
    void aRequestAtFaultEndsTheWalkAtOnce() {
        assertEquals(Step.GIVE_UP, walk.failed(failure(Kind.REJECTED, 400), Optional.empty()).step());
        assertEquals("deepseek-coder-34b", walk.current().model());
    }

    @Test
    void theLastCandidateFailingEndsTheWalkNamingEachOne() {
        walk.failed(failure(Kind.MODEL_NOT_FOUND, 404), Optional.empty());
        walk.failed(failure(Kind.MODEL_NOT_LOADED, 400), Optional.empty());
        assertEquals(Step.GIVE_UP, walk.failed(failure(Kind.MODEL_NOT_FOUND, 404), Optional.empty()).step());
        assertEquals(3, walk.tried().size());
        assertEquals("gpt-4o-mini", walk.current().model(), "the last candidate tried stays current");
    }

    @Test
    void aBreakerOpeningMidRetriesKeepsTheRealFailure() {
        UpstreamFailure serverError = failure(Kind.SERVER_ERROR, 500);
        walk.failed(serverError, Optional.empty());
        UpstreamFailure open = failure(Kind.UNREACHABLE, 0);
        assertEquals(Step.NEXT_CANDIDATE, walk.refusedByBreaker(open, 3000).step());
        assertSame(serverError, walk.lastFailure());
        assertEquals(3000, walk.circuitRetryAfterMillis());
    }

    @Test
    void attemptsCountEveryCallMade() {
        walk.attemptStarted();
        walk.failed(failure(Kind.SERVER_ERROR, 500), Optional.empty());
        walk.attemptStarted();
        assertEquals(2, walk.attempts());
    }
}
