package dev.lmstudiosidecar.provider.lmstudio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lmstudiosidecar.config.LMStudioConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.WithDefault;
import org.junit.jupiter.api.Test;

/** While no lmstudio.* key is set, the annotations' constants hold: they must be the keys' defaults. */
class FaultToleranceDefaultsTest {

    @Test
    void theAnnotationsTimeoutsAreTheDefaultsOfTheirKeys() throws NoSuchMethodException {
        assertEquals(defaultMillis("discoveryTimeout"), LMStudioRestCalls.DISCOVERY_TIMEOUT_MILLIS);
        assertEquals(defaultMillis("loadTimeout"), LMStudioRestCalls.LOAD_TIMEOUT_MILLIS);
    }

    @Test
    void theKeysAreTheOnesFaultToleranceReads() {
        assertEquals("smallrye.faulttolerance.\"dev.lmstudiosidecar.provider.lmstudio.LMStudioRestCalls/list\".timeout.value",
                FaultToleranceDefaults.timeoutKey("list", "value"));
    }

    private static long defaultMillis(String method) throws NoSuchMethodException {
        String value = LMStudioConfig.class.getMethod(method).getAnnotation(WithDefault.class).value();
        return DurationConverter.parseDuration(value).toMillis();
    }
}
