package dev.lmstudiosidecar.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.ProviderAdapter;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailure.Kind;
import dev.lmstudiosidecar.routing.ChainWalk.Decision;
import dev.lmstudiosidecar.testsupport.FakeProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainWalkTest {

    /** Providers are only named here, never called: the walk decides, it does no I/O. */
    private static final ProviderAdapter lmstudio = new FakeProvider("lmstudio");
    private static final ProviderAdapter cloud = new FakeProvider("cloud", "cloud");

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
            walk.attemptFailed(serverError, 4);
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
        walk.attemptFailed(serverError, 4);
        UpstreamFailure open = failure(Kind.UNREACHABLE, 0);
        assertEquals(Decision.NEXT_CANDIDATE, walk.refusedByBreaker(open, 3000));
        assertSame(serverError, walk.lastFailure());
        assertEquals(3000, walk.circuitRetryAfterMillis());
    }

    @Test
    void attemptsCountEveryCallMade() {
        walk.attemptStarted();
        walk.attemptFailed(failure(Kind.SERVER_ERROR, 500), 4);
        walk.attemptStarted();
        walk.failed(failure(Kind.SERVER_ERROR, 500));
        walk.attemptStarted();
        assertEquals(3, walk.attempts(), "retries and fallbacks alike");
    }

    private static final ProviderAdapter hostA = new FakeProvider("a");
    private static final ProviderAdapter hostB = new FakeProvider("b");
    private static final ProviderAdapter hostC = new FakeProvider("c");

    private static String where(ChainWalk walk) {
        return walk.current().model() + "@" + walk.current().provider().backend().name();
    }

    @Test
    void aFailedAttemptGoesToTheSameModelOnAnotherHostBeforeAnyAlternativeWithinOneRetryBudget() {
        ChainWalk hosts = new ChainWalk(List.of(new Candidate(hostA, "qwen", false), new Candidate(hostB, "qwen", false),
                new Candidate(hostA, "phi", true)));
        UpstreamFailure serverError = failure(Kind.SERVER_ERROR, 500);
        hosts.attemptStarted();
        assertFalse(hosts.attemptFailed(serverError, 3), "not retried on a: b has the model");
        assertEquals(Decision.NEXT_CANDIDATE, hosts.failed(serverError));
        assertEquals("qwen@b", where(hosts));
        hosts.attemptStarted();
        assertTrue(hosts.attemptFailed(serverError, 3), "b is the last host with it: retried there");
        hosts.attemptStarted();
        assertFalse(hosts.attemptFailed(serverError, 3), "three attempts at qwen in all: its budget is spent");
        assertEquals(Decision.NEXT_CANDIDATE, hosts.failed(serverError));
        assertEquals("phi@a", where(hosts));
        hosts.attemptStarted();
        assertTrue(hosts.attemptFailed(serverError, 3), "a new model has a budget of its own");
    }

    @Test
    void aSpentBudgetSkipsTheModelOnTheHostsNotTriedYet() {
        ChainWalk hosts = new ChainWalk(List.of(new Candidate(hostA, "qwen", false), new Candidate(hostB, "qwen", false),
                new Candidate(hostC, "qwen", false), new Candidate(hostA, "phi", true)));
        UpstreamFailure serverError = failure(Kind.SERVER_ERROR, 500);
        hosts.attemptStarted();
        assertFalse(hosts.attemptFailed(serverError, 2));
        hosts.failed(serverError);
        hosts.attemptStarted();
        assertFalse(hosts.attemptFailed(serverError, 2), "two attempts of two");
        assertEquals(Decision.NEXT_CANDIDATE, hosts.failed(serverError));
        assertEquals("phi@a", where(hosts), "c is not tried: qwen's budget is spent");
    }

    @Test
    void aHostFoundUnreachableIsSkippedForEveryLaterCandidate() {
        ChainWalk hosts = new ChainWalk(List.of(new Candidate(hostA, "qwen", false), new Candidate(hostB, "qwen", false),
                new Candidate(hostA, "phi", true), new Candidate(hostB, "phi", true)));
        assertEquals(Decision.NEXT_CANDIDATE, hosts.failed(failure(Kind.UNREACHABLE, 0)));
        assertEquals("qwen@b", where(hosts));
        assertEquals(Decision.NEXT_CANDIDATE, hosts.failed(failure(Kind.MODEL_NOT_FOUND, 404)));
        assertEquals("phi@b", where(hosts), "phi@a is skipped: nothing listens on a");
    }
}
