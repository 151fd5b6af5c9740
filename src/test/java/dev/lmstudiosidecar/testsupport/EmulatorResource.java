package dev.lmstudiosidecar.testsupport;

import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.time.Duration;
import java.util.Map;

/**
 * Starts the LM Studio emulator on a random port before the sidecar boots and points
 * {@code lmstudio.base-url} at it. Tests get it through {@link InjectEmulator}.
 *
 * <p>It also gives the sidecar's two servers (API and management) free ports of their own, as in
 * production, rather than {@code test-port=0}: Quarkus tells the servers' meters apart by their
 * configured port ({@code server.port}), so two random ports would register the same
 * {@code http.server.active.connections} gauge twice, and the second server would go unmeasured.
 *
 * <p>Init arg {@value #LOAD_DELAY_MS}: model loads take that many milliseconds from the start, for
 * tests of what the sidecar's start waits for (an emulator reset clears it).
 */
public class EmulatorResource implements QuarkusTestResourceLifecycleManager {

    public static final String LOAD_DELAY_MS = "load-delay-ms";

    private LmStudioEmulator emulator;
    private Duration loadDelay = Duration.ZERO;

    @Override
    public void init(Map<String, String> initArgs) {
        loadDelay = Duration.ofMillis(Long.parseLong(initArgs.getOrDefault(LOAD_DELAY_MS, "0")));
    }

    @Override
    public Map<String, String> start() {
        emulator = LmStudioEmulator.start();
        emulator.loadDelay(loadDelay);
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
