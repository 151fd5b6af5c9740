package dev.lmstudiosidecar.testsupport;

import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.List;
import java.util.Map;

/**
 * LM Studio hosts found through DNS, as behind a Kubernetes headless Service: two emulators on one port
 * at 127.0.0.2 and 127.0.0.3 (all of 127/8 is loopback on Linux), and a DNS stub the test controls that
 * answers {@value #NAME} with their addresses. The sidecar gets {@code lmstudio.hosts-dns} and
 * {@code lmstudio.hosts-dns-server}; tests get the {@link DnsFleet} through {@link InjectDnsFleet}.
 */
public class DnsFleetResource implements QuarkusTestResourceLifecycleManager {

    public static final String NAME = "lmstudio.fleet.test";

    /** The two emulators, and the stub that names them. */
    public record DnsFleet(LmStudioEmulator first, LmStudioEmulator second, DnsStub dns) {
        public String hostName(LmStudioEmulator emulator) {
            return emulator.rootUrl().substring("http://".length());
        }

        /** The name resolves to these emulators' addresses from the next lookup on. */
        public void resolveTo(LmStudioEmulator... emulators) {
            dns.set(NAME, java.util.Arrays.stream(emulators).map(e -> hostName(e).replaceAll(":\\d+$", "")).toList());
        }
    }

    private DnsFleet fleet;

    @Override
    public Map<String, String> start() {
        LmStudioEmulator first = LmStudioEmulator.start("127.0.0.2", 0, 1);
        LmStudioEmulator second = LmStudioEmulator.start("127.0.0.3", first.port(), 1);
        fleet = new DnsFleet(first, second, DnsStub.start());
        fleet.dns().set(NAME, List.of("127.0.0.2", "127.0.0.3"));
        return Map.of("lmstudio.hosts-dns", NAME + ":" + first.port(),
                "lmstudio.hosts-dns-server", fleet.dns().host() + ":" + fleet.dns().port(),
                "quarkus.http.test-port", Integer.toString(FreePorts.any()),
                "quarkus.management.test-port", Integer.toString(FreePorts.any()));
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(fleet, new TestInjector.AnnotatedAndMatchesType(InjectDnsFleet.class, DnsFleet.class));
    }

    @Override
    public void stop() {
        if (fleet != null) {
            fleet.first().close();
            fleet.second().close();
            fleet.dns().close();
        }
    }
}
