package dev.lmstudiosidecar.testsupport.emulator;

import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.ErrorStyle;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.Shape;
import java.time.Duration;

/**
 * Behaviour settings. Tests write them from JUnit threads while event loops read them per request,
 * so every field is volatile; each is read once per request, which keeps a request self-consistent.
 */
final class Knobs {

    volatile Shape shape;
    volatile boolean jitLoading;
    volatile ErrorStyle errorStyle;
    volatile int tokensPerResponse;
    volatile long tokenDelayMs;
    volatile long loadDelayMs;
    volatile long listingDelayMs;
    volatile long unloadDelayMs;
    volatile boolean refuseLoads;
    /** Non-null: every model listing answers 200 with {@code {"error": this}}, as LM Studio does for some faults. */
    volatile String listingError;

    Knobs() {
        reset();
    }

    void reset() {
        shape = Shape.LMSTUDIO_0_4;
        jitLoading = true;
        errorStyle = ErrorStyle.OBJECT;
        tokensPerResponse = 5;
        tokenDelayMs = 0;
        loadDelayMs = 0;
        listingDelayMs = 0;
        unloadDelayMs = 0;
        refuseLoads = false;
        listingError = null;
    }

    /** Vert.x timers tick in milliseconds; a positive sub-millisecond delay still means "some delay". */
    static long toTimerMillis(Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            return 0;
        }
        return Math.max(1, d.toMillis());
    }
}
