package dev.lmstudiosidecar.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HealthSettingsTest {

    private static HealthSettings settings(boolean testCompletion, Optional<String> testModel, double ratio, Duration block, Duration startup) {
        return new HealthSettings(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(30), testCompletion, testModel, ratio, 10,
                ReadinessMode.MODELS, RequiredModels.of(List.of(), List.of(), true), false, List.of(), block, startup);
    }

    private static String refusal(boolean testCompletion, Optional<String> testModel, double ratio, Duration block, Duration startup) {
        return assertThrows(IllegalArgumentException.class, () -> settings(testCompletion, testModel, ratio, block, startup)).getMessage();
    }

    private static final Duration BLOCK = Duration.ofSeconds(10);
    private static final Duration STARTUP = Duration.ofMinutes(5);

    @Test
    void theDefaultsAreWithinBounds() {
        HealthSettings defaults = settings(false, Optional.empty(), 0.25, BLOCK, STARTUP);
        assertEquals(Optional.empty(), defaults.testCompletionModel());
    }

    @Test
    void aTestCompletionNeedsAModel() {
        assertTrue(refusal(true, Optional.of(" "), 0.25, BLOCK, STARTUP).startsWith("lmstudio.health-check.test-completion=true needs"));
        assertEquals(Optional.of("qwen"), settings(true, Optional.of(" qwen "), 0.25, BLOCK, STARTUP).testCompletionModel());
        assertEquals(Optional.empty(), settings(false, Optional.of("qwen"), 0.25, BLOCK, STARTUP).testCompletionModel(), "off: no test");
    }

    @Test
    void theErrorRatioIsAboveZeroAndAtMostOne() {
        for (double wrong : new double[] {0, -0.1, 1.01, Double.NaN}) {
            assertTrue(refusal(false, Optional.empty(), wrong, BLOCK, STARTUP).startsWith("lmstudio.health-check.degraded-error-ratio"));
        }
        settings(false, Optional.empty(), 1, BLOCK, STARTUP);
    }

    @Test
    void theEventLoopBoundIsFrom100MsTo10Min() {
        assertTrue(refusal(false, Optional.empty(), 0.25, Duration.ofMillis(99), STARTUP).startsWith("sidecar.liveness.max-event-loop-block"));
        assertTrue(refusal(false, Optional.empty(), 0.25, Duration.ofMinutes(11), STARTUP).startsWith("sidecar.liveness.max-event-loop-block"));
        settings(false, Optional.empty(), 0.25, Duration.ofMillis(100), STARTUP);
    }

    @Test
    void theStartupBoundIsFromZeroToAnHour() {
        assertTrue(refusal(false, Optional.empty(), 0.25, BLOCK, Duration.ofSeconds(-1)).startsWith("sidecar.startup.max-wait"));
        assertTrue(refusal(false, Optional.empty(), 0.25, BLOCK, Duration.ofMinutes(61)).startsWith("sidecar.startup.max-wait"));
        settings(false, Optional.empty(), 0.25, BLOCK, Duration.ZERO);
    }
}
