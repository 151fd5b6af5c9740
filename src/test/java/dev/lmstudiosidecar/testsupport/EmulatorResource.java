package dev.lmstudiosidecar.testsupport;

import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts the LM Studio emulator on a random port before the sidecar boots and points
 * {@code lmstudio.base-url} at it. Tests get it through {@link InjectEmulator}.
 */
public class EmulatorResource implements QuarkusTestResourceLifecycleManager {

    private LmStudioEmulator emulator;

    @Override
    public Map<String, String> start() {
        emulator = LmStudioEmulator.start();
        return Map.of("lmstudio.base-url", emulator.baseUrl());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(emulator, new TestInjector.AnnotatedAndMatchesType(InjectEmulator.class, LmStudioEmulator.class));
    }

    @Override
    public void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }
}
