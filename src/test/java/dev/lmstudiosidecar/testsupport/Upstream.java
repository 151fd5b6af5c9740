package dev.lmstudiosidecar.testsupport;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailureException;
import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Waits for the sidecar's own calls to a backend (or any Vert.x future), made from a test thread. */
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
        return assertInstanceOf(UpstreamFailureException.class, cause(call)).failure();
    }

    /** The exception {@code call} fails with; fails the test when it succeeds or does not end. */
    public static Throwable cause(Future<?> call) {
        try {
            Object answer = call.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
            return fail("expected a failure, got " + answer);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the call did not end: " + e, e);
        }
    }
}
