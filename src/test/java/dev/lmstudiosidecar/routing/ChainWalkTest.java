package dev.lmstudiosidecar.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.BackendClient;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailure.Kind;
import dev.lmstudiosidecar.routing.ChainWalk.Decision;
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

    private final ChainWalk walk = new ChainWalk(List.of(
            new Candidate(lmstudio, "deepseek-coder-34b", false),
            new Candidate(lmstudio, "phi-3-mini", true),
            new Candidate(cloud, "gpt-4o-mini", true)));

    private static UpstreamFailure failure(Kind kind, int status) {
        return new UpstreamFailure(kind, lmstudio.backend(), status, kind + " happened", null, null);
    }

    @Test
    void aCandidateItsGuardGaveUpOnIsNamedWithItsAttemptsAndTheNextComesUp() {
        UpstreamFailure serverError = failure(Kind.SERVER_ERROR, 500);
        assertFalse(walk.retrying());
        for (int attempt = 0; attempt < 3; attempt++) {
            walk.attemptStarted();
            walk.attemptFailed(serverError);
            assertTrue(walk.retrying(), "the next attempt at the same candidate is a retry");
        }
        assertEquals(Decision.NEXT_CANDIDATE, walk.failed(serverError));
        assertEquals("phi-3-mini", walk.current().model());
        assertFalse(walk.retrying(), "a new candidate's first attempt is no retry");
        assertEquals(List.of("deepseek-coder-34b (SERVER_ERROR happened, 3 attempts)"), walk.tried());
    }

    @Test
    void aMissingModelMovesOnWithoutRetrying() {
        assertEquals(Decision.NEXT_CANDIDATE, walk.failed(failure(Kind.MODEL_NOT_FOUND, 404)));
        assertEquals("phi-3-mini", walk.current().model());
    }

    @Test
    void anUnreachableBackendSkipsItsOtherModels() {
        ChainWalk noRetries = new ChainWalk(List.of(
                new Candidate(lmstudio, "deepseek-coder-34b", false),
                new Candidate(lmstudio, "phi-3-mini", true),
                new Candidate(cloud, "gpt-4o-mini", true)));
        assertEquals(Decision.NEXT_CANDIDATE, noRetries.failed(failure(Kind.UNREACHABLE, 0)));
        assertEquals("gpt-4o-mini", noRetries.current().model(), "phi-3-mini lives on the same unreachable LM Studio");
    }

    @Test
    void aWalkEndedBySkippingAnUnreachableBackendStaysOnTheCandidateTried() {
        ChainWalk localOnly = new ChainWalk(List.of(
                new Candidate(lmstudio, "qwen2.5-7b-instruct", false),
                new Candidate(lmstudio, "phi-3-mini", true)));
        assertEquals(Decision.GIVE_UP, localOnly.refusedByBreaker(failure(Kind.CIRCUIT_OPEN, 0), 30_000));
        assertEquals("qwen2.5-7b-instruct", localOnly.current().model(), "phi-3-mini was skipped, never tried");
        assertEquals(List.of("qwen2.5-7b-instruct (CIRCUIT_OPEN happened)"), localOnly.tried());
    }

    @Test
    void aRequestAtFaultEndsTheWalkAtOnce() {
        assertEquals(Decision.GIVE_UP, walk.failed(failure(Kind.REJECTED, 400)));
        assertEquals("deepseek-coder-34b", walk.current().model());
    }

    @Test
    void theLastCandidateFailingEndsTheWalkNamingEachOne() {
        walk.failed(failure(Kind.MODEL_NOT_FOUND, 404));
        walk.failed(failure(Kind.MODEL_NOT_LOADED, 400));
        assertEquals(Decision.GIVE_UP, walk.failed(failure(Kind.MODEL_NOT_FOUND, 404)));
        assertEquals(3, walk.tried().size());
        assertEquals("gpt-4o-mini", walk.current().model(), "the last candidate tried stays current");
    }

    @Test
    void aBreakerOpeningMidRetriesKeepsTheRealFailure() {
        UpstreamFailure serverError = failure(Kind.SERVER_ERROR, 500);
        walk.attemptStarted();
        walk.attemptFailed(serverError);
        UpstreamFailure open = failure(Kind.UNREACHABLE, 0);
        assertEquals(Decision.NEXT_CANDIDATE, walk.refusedByBreaker(open, 3000));
        assertSame(serverError, walk.lastFailure());
        assertEquals(3000, walk.circuitRetryAfterMillis());
    }

    @Test
    void attemptsCountEveryCallMade() {
        walk.attemptStarted();
        walk.attemptFailed(failure(Kind.SERVER_ERROR, 500));
        walk.attemptStarted();
        walk.failed(failure(Kind.SERVER_ERROR, 500));
        walk.attemptStarted();
        assertEquals(3, walk.attempts(), "retries and fallbacks alike");
    }
}
