package dev.lmstudiosidecar.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lmstudiosidecar.config.LMStudioConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GuardSettingsTest {

    private static SmallRyeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .addDiscoveredConverters()
                .withConverter(Duration.class, 200, new DurationConverter()) // Quarkus's "30s"
                .withMapping(LMStudioConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .build();
    }

    private static GuardSettings lmStudioGuard(Map<String, String> properties) {
        SmallRyeConfig config = config(properties);
        return GuardSettings.of("lmstudio", config.getConfigMapping(LMStudioConfig.class), config);
    }

    @Test
    void withoutSmallRyesKeysTheGuardRunsOnTheLmStudioKeys() {
        GuardSettings guard = lmStudioGuard(Map.of(
                "lmstudio.retry-attempts", "2",
                "lmstudio.retry-delay", "250ms",
                "lmstudio.retry-max-delay", "4s",
                "lmstudio.circuit-breaker.window", "8",
                "lmstudio.circuit-breaker.minimum-calls", "6",
                "lmstudio.circuit-breaker.failure-ratio", "0.75",
                "lmstudio.circuit-breaker.open-duration", "12s",
                "lmstudio.circuit-breaker.half-open-probes", "2"));
        assertEquals(new GuardSettings(2, Duration.ofMillis(250), 6, 0.75, Duration.ofSeconds(12), 2, Duration.ofSeconds(4)), guard);
    }

    @Test
    void smallRyesKeysForTheGuardWinWithTheirUnits() {
        GuardSettings guard = lmStudioGuard(Map.of(
                "lmstudio.retry-attempts", "2",
                "smallrye.faulttolerance.\"lmstudio\".retry.max-retries", "5",
                "smallrye.faulttolerance.\"lmstudio\".retry.delay", "3",
                "smallrye.faulttolerance.\"lmstudio\".retry.delay-unit", "seconds",
                "smallrye.faulttolerance.\"lmstudio\".circuit-breaker.request-volume-threshold", "4",
                "smallrye.faulttolerance.\"lmstudio\".circuit-breaker.failure-ratio", "0.25",
                "smallrye.faulttolerance.\"lmstudio\".circuit-breaker.delay", "90000",
                "smallrye.faulttolerance.\"lmstudio\".circuit-breaker.success-threshold", "3"));
        assertEquals(new GuardSettings(5, Duration.ofSeconds(3), 4, 0.25, Duration.ofSeconds(90), 3, Duration.ofSeconds(10)), guard,
                "a delay without its unit is in milliseconds, as SmallRye reads it");
    }

    @Test
    void settingsSmallRyeWouldTakeButMeanNothingGoodStopStartUp() {
        assertThrows(IllegalArgumentException.class, () -> lmStudioGuard(Map.of("lmstudio.retry-attempts", "-1")),
                "SmallRye reads -1 as: retry for ever");
        assertThrows(IllegalArgumentException.class,
                () -> lmStudioGuard(Map.of("smallrye.faulttolerance.\"lmstudio\".retry.max-retries", "-1")));
        assertThrows(IllegalArgumentException.class,
                () -> lmStudioGuard(Map.of("lmstudio.retry-delay", "20s", "lmstudio.retry-max-delay", "10s")));
        assertThrows(IllegalArgumentException.class, () -> lmStudioGuard(Map.of("lmstudio.circuit-breaker.failure-ratio", "1.5")));
        assertThrows(IllegalArgumentException.class, () -> lmStudioGuard(Map.of("lmstudio.circuit-breaker.half-open-probes", "0")));
    }

    @Test
    void anotherGuardsKeysDoNotApply() {
        GuardSettings guard = lmStudioGuard(Map.of("smallrye.faulttolerance.\"cloud\".retry.max-retries", "9"));
        assertEquals(3, guard.maxRetries());
    }
}
