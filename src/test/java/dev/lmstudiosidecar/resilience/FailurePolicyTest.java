package dev.lmstudiosidecar.resilience;

import static dev.lmstudiosidecar.resilience.RetryBackoffTest.failed;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.provider.UpstreamFailure.Kind;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class FailurePolicyTest {

    private static final Duration MAX_DELAY = Duration.ofSeconds(1);

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"UNREACHABLE", "TIMEOUT", "SERVER_ERROR", "CONNECTION_LOST", "POOL_EXHAUSTED"})
    void failuresAnotherAttemptMayCureAreRetried(Kind kind) {
        assertTrue(FailurePolicy.retries(failed(kind, 0, Optional.empty()), MAX_DELAY));
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"UNKNOWN_ENDPOINT", "MODEL_NOT_FOUND", "MODEL_NOT_LOADED", "CIRCUIT_OPEN"})
    void failuresThatWouldRepeatAreNeverRetried(Kind kind) {
        assertFalse(FailurePolicy.retries(failed(kind, 404, Optional.empty()), MAX_DELAY));
        assertFalse(FailurePolicy.retries(failed(kind, 404, Optional.of(Duration.ofMillis(10))), MAX_DELAY),
                "a Retry-After does not make them retryable");
    }

    @Test
    void aRefusalIsRetriedOnlyWhenItIsA429() {
        assertTrue(FailurePolicy.retries(failed(Kind.REJECTED, 429, Optional.empty()), MAX_DELAY));
        assertFalse(FailurePolicy.retries(failed(Kind.REJECTED, 400, Optional.empty()), MAX_DELAY));
        assertFalse(FailurePolicy.retries(failed(Kind.REJECTED, 403, Optional.empty()), MAX_DELAY));
    }

    @Test
    void aRetryAfterBeyondTheLongestBackoffEndsTheRetries() {
        assertFalse(FailurePolicy.retries(failed(Kind.REJECTED, 429, Optional.of(Duration.ofMillis(1001))), MAX_DELAY));
        assertTrue(FailurePolicy.retries(failed(Kind.REJECTED, 429, Optional.of(MAX_DELAY)), MAX_DELAY), "exactly the cap is waited");
        assertFalse(FailurePolicy.retries(failed(Kind.REJECTED, 429, Optional.of(Duration.ofSeconds(Long.MAX_VALUE))), MAX_DELAY),
                "a Retry-After too large for a long still means too long to wait");
        assertTrue(FailurePolicy.retries(failed(Kind.SERVER_ERROR, 503, Optional.of(Duration.ofMinutes(5))), MAX_DELAY),
                "a 503's Retry-After is not a rate limit's");
    }

    @Test
    void whatIsNoAttemptsFailureIsNeitherRetriedNorAFailureOfTheBackend() {
        assertFalse(FailurePolicy.retries(new ClientGoneException(), MAX_DELAY));
        assertFalse(FailurePolicy.breaksCircuit(new ClientGoneException()));
        assertFalse(FailurePolicy.retries(new IllegalStateException("a bug"), MAX_DELAY));
    }

    @Test
    void onlyTheBackendsOwnFailuresBreakItsCircuit() {
        assertTrue(FailurePolicy.breaksCircuit(failed(Kind.SERVER_ERROR, 500, Optional.empty())));
        assertTrue(FailurePolicy.breaksCircuit(failed(Kind.UNREACHABLE, 0, Optional.empty())));
        assertTrue(FailurePolicy.breaksCircuit(failed(Kind.TIMEOUT, 0, Optional.empty())));
        assertFalse(FailurePolicy.breaksCircuit(failed(Kind.REJECTED, 429, Optional.empty())), "a 429 is a busy backend, not a broken one");
        assertFalse(FailurePolicy.breaksCircuit(failed(Kind.POOL_EXHAUSTED, 0, Optional.empty())), "the sidecar's own 429");
        assertFalse(FailurePolicy.breaksCircuit(failed(Kind.MODEL_NOT_FOUND, 404, Optional.empty())));
    }
}
