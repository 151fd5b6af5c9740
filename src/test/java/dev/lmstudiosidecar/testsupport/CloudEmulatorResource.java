package dev.lmstudiosidecar.testsupport;

import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A second emulator acting as the cloud provider (any OpenAI-compatible endpoint), with cloud
 * fallback turned on and a key the tests can look for in what leaves the sidecar.
 */
public class CloudEmulatorResource implements QuarkusTestResourceLifecycleManager {

    public static final String API_KEY = "sk-test-cloud-secret-0123456789";
    public static final String CLOUD_MODEL = "gpt-4o-mini";

    private LmStudioEmulator cloud;

    @Override
    public Map<String, String> start() {
        cloud = LmStudioEmulator.start();
        cloud.shape(LmStudioEmulator.Shape.GENERIC_OPENAI);
        cloud.addModel(CLOUD_MODEL, "llm", 0, "?", "none", 128000, true);
        return Map.of("cloud.base-url", cloud.baseUrl(),
                "cloud.api-key", API_KEY,
                "cloud.default-model", CLOUD_MODEL,
                "lmstudio.enable-cloud-fallback", "true");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(cloud, new TestInjector.AnnotatedAndMatchesType(InjectCloud.class, LmStudioEmulator.class));
    }

    @Override
    public void stop() {
        if (cloud != null) {
            cloud.close();
        }
    }
}
