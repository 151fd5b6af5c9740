package dev.lmstudiosidecar.testsupport;

import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts the LM Studio emulator on a random port before the sidecar boots and points
 * {@code lmstudio.base-url} at it. Tests get it through {@link InjectEmulator}.
 *
 * <p>It also gives the sidecar's two servers (API and management) free ports of their own, as in
 * production, rather than {@code test-port=0}: Quarkus tells the servers' meters apart by their
 * configured port ({@code server.port}), so two random ports would register the same
 * {@code http.server.active.connections} gauge twice, and the second server would go unmeasured.
 */
public class EmulatorResource implements QuarkusTestResourceLifecycleManager {

    private LmStudioEmulator emulator;

    @Override
    public Map<String, String> start() {
        emulator = LmStudioEmulator.start();
        return Map.of("lmstudio.base-url", emulator.baseUrl(),
                "quarkus.http.test-port", Integer.toString(FreePorts.any()),
                "quarkus.management.test-port", Integer.toString(FreePorts.any()));
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
