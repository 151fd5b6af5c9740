package dev.lmstudiosidecar.testsupport;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailureException;
import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Waits for the sidecar's own calls to a backend, made from a test thread. */
public final class Upstream {

    private static final long WAIT_SECONDS = 15;

    private Upstream() {
    }

    public static <T> T answer(Future<T> call) {
        try {
            return call.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the call failed: " + e, e);
        }
    }

    /** The failure {@code call} ends with; fails the test when it succeeds. */
    public static UpstreamFailure failure(Future<?> call) {
        try {
            Object answer = call.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
            return fail("expected a failure, got " + answer);
        } catch (ExecutionException e) {
            return assertInstanceOf(UpstreamFailureException.class, e.getCause()).failure();
        } catch (Exception e) {
            throw new AssertionError("the call did not end: " + e, e);
        }
    }
}
