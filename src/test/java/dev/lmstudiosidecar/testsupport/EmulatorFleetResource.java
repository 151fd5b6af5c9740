package dev.lmstudiosidecar.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts one LM Studio emulator per host name (init arg {@value #HOSTS}, comma-separated; default
 * {@code a,b,c}) and points {@code lmstudio.hosts.<name>.base-url} at each. Tests get them through
 * {@link InjectEmulatorFleet}; their profiles set the hosts' other values.
 */
public class EmulatorFleetResource implements QuarkusTestResourceLifecycleManager {

    public static final String HOSTS = "hosts";

    private List<String> names = List.of("a", "b", "c");
    private EmulatorFleet fleet;

    @Override
    public void init(Map<String, String> initArgs) {
        if (initArgs.containsKey(HOSTS)) {
            names = Arrays.stream(initArgs.get(HOSTS).split(",")).map(String::strip).toList();
        }
    }

    @Override
    public Map<String, String> start() {
        fleet = new EmulatorFleet(names);
        Map<String, String> config = new HashMap<>();
        fleet.all().forEach((name, emulator) -> config.put("lmstudio.hosts." + name + ".base-url", emulator.baseUrl()));
        config.put("quarkus.http.test-port", Integer.toString(FreePorts.any()));
        config.put("quarkus.management.test-port", Integer.toString(FreePorts.any()));
        return config;
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(fleet, new TestInjector.AnnotatedAndMatchesType(InjectEmulatorFleet.class, EmulatorFleet.class));
    }

    @Override
    public void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }
}
