package dev.lmstudiosidecar.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailure.Kind;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailedLoadsTest {

    private static final Backend LM_STUDIO = Backend.of("lmstudio", "http://localhost:1234/v1");
    private final AtomicLong now = new AtomicLong();
    private final FailedLoads failed = new FailedLoads(Duration.ofSeconds(30), Duration.ofMinutes(5), now::get);

    private static UpstreamFailure failure(Kind kind) {
        return new UpstreamFailure(kind, LM_STUDIO, kind == Kind.REJECTED ? 400 : 0, "it failed", null, null);
    }

    @Test
    void aRefusedLoadHoldsRequestsBackForTheBackOffOnly() {
        failed.record("phi-3-mini", failure(Kind.REJECTED));
        assertTrue(failed.holdingBack("phi-3-mini").orElseThrow().message().contains("the next try is in 30 s"));
        assertTrue(failed.mayStillRun("phi-3-mini").isEmpty(), "an admin may try again at once");
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        assertTrue(failed.holdingBack("phi-3-mini").isEmpty());
    }

    @Test
    void aTimedOutLoadBlocksEveryLoadWhileItMayStillRun() {
        failed.record("phi-3-mini", failure(Kind.TIMEOUT));
        now.addAndGet(Duration.ofMinutes(4).toNanos());
        UpstreamFailure blocked = failed.mayStillRun("phi-3-mini").orElseThrow();
        assertEquals(Kind.TIMEOUT, blocked.kind());
        assertTrue(blocked.message().contains("no second copy for another 60 s"), blocked.message());
        now.addAndGet(Duration.ofMinutes(1).toNanos());
        assertTrue(failed.mayStillRun("phi-3-mini").isEmpty());
    }

    @Test
    void aModelThatLoadedAfterAllIsNoLongerHeldBack() {
        failed.record("phi-3-mini", failure(Kind.CONNECTION_LOST));
        failed.clear("phi-3-mini");
        assertTrue(failed.holdingBack("phi-3-mini").isEmpty());
        assertTrue(failed.holdingBack("qwen2.5-7b-instruct").isEmpty());
    }

    @Test
    void aLoadThatNeverReachedLmStudioHoldsNothingBack() {
        failed.record("phi-3-mini", failure(Kind.UNREACHABLE));
        failed.record("qwen2.5-7b-instruct", failure(Kind.POOL_EXHAUSTED));
        assertTrue(failed.holdingBack("phi-3-mini").isEmpty());
        assertTrue(failed.holdingBack("qwen2.5-7b-instruct").isEmpty());
    }
}
