package dev.lmstudiosidecar.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.config.LMStudioConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code lmstudio.hosts.*} as the fleet gets it: one host of {@code lmstudio.base-url} by default, the named ones otherwise. */
class HostSettingsTest {

    private static List<HostSettings> hosts(Map<String, String> properties) {
        LMStudioConfig config = new SmallRyeConfigBuilder()
                .addDiscoveredConverters()
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(LMStudioConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .build().getConfigMapping(LMStudioConfig.class);
        return HostSettings.configured(config);
    }

    @Test
    void withoutHostsTheOneHostOfTheBaseUrlIsNamedLmstudioAndHasTheLmstudioValues() {
        List<HostSettings> hosts = hosts(Map.of("lmstudio.base-url", "http://gpu:1234/v1", "lmstudio.max-concurrent-requests", "7",
                "lmstudio.api-key", "k"));
        assertEquals(List.of(new HostSettings("lmstudio", "http://gpu:1234/v1", Optional.of("k"), 7, Optional.empty(), 1)), hosts);
    }

    @Test
    void namedHostsTakeTheirOwnValuesAndTheLmstudioOnesForTheRestInNameOrder() {
        List<HostSettings> hosts = hosts(Map.of(
                "lmstudio.base-url", "http://ignored:1234/v1",
                "lmstudio.max-concurrent-requests", "3",
                "lmstudio.hosts.gpu-b.base-url", "http://gpu-b:1234/v1",
                "lmstudio.hosts.gpu-b.max-concurrent-requests", "8",
                "lmstudio.hosts.gpu-b.weight", "2",
                "lmstudio.hosts.gpu-a.base-url", "http://gpu-a:1234/v1",
                "lmstudio.hosts.gpu-a.memory-budget", "24GiB"));
        assertEquals(List.of("gpu-a", "gpu-b"), hosts.stream().map(HostSettings::name).toList());
        assertEquals(3, hosts.get(0).maxConcurrentRequests());
        assertEquals(24L << 30, hosts.get(0).memoryBudget().orElseThrow().bytes());
        assertEquals(8, hosts.get(1).maxConcurrentRequests());
        assertEquals(2.0, hosts.get(1).weight());
        assertEquals("http://gpu-b:1234/v1", hosts.get(1).backend().openAiBase().toString());
        assertTrue(hosts.get(1).backend().local());
    }

    @Test
    void withOnlyDnsThereIsNoHostUntilTheNameResolves() {
        assertEquals(List.of(), hosts(Map.of("lmstudio.hosts-dns", "lmstudio-gpu:1234")));
    }

    @Test
    void badHostSettingsAreNamed() {
        IllegalArgumentException noUrl = assertThrows(IllegalArgumentException.class,
                () -> hosts(Map.of("lmstudio.hosts.gpu-a.weight", "2")));
        assertEquals("lmstudio.hosts.gpu-a.base-url is required (e.g. http://gpu-a:1234/v1)", noUrl.getMessage());
        IllegalArgumentException cloud = assertThrows(IllegalArgumentException.class,
                () -> hosts(Map.of("lmstudio.hosts.cloud.base-url", "http://x:1/v1")));
        assertTrue(cloud.getMessage().contains("not 'cloud'"), cloud.getMessage());
        IllegalArgumentException weight = assertThrows(IllegalArgumentException.class,
                () -> hosts(Map.of("lmstudio.hosts.a.base-url", "http://x:1/v1", "lmstudio.hosts.a.weight", "0")));
        assertEquals("lmstudio.hosts.a.weight must be a positive number (given 0.0)", weight.getMessage());
        IllegalArgumentException slots = assertThrows(IllegalArgumentException.class,
                () -> hosts(Map.of("lmstudio.hosts.a.base-url", "http://x:1/v1", "lmstudio.hosts.a.max-concurrent-requests", "0")));
        assertEquals("lmstudio.hosts.a.max-concurrent-requests must be at least 1", slots.getMessage());
    }
}
