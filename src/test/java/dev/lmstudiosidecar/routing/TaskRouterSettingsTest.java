package dev.lmstudiosidecar.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lmstudiosidecar.config.SidecarConfig;
import dev.lmstudiosidecar.models.TaskType;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code sidecar.routing.*} as the classifier gets it: the seed's words unless a task's are set, and bad values named. */
class TaskRouterSettingsTest {

    private static ClassifierSettings settings(Map<String, String> properties) {
        SidecarConfig config = new SmallRyeConfigBuilder()
                .addDiscoveredConverters()
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(SidecarConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .build().getConfigMapping(SidecarConfig.class);
        return TaskRouter.settings(config.routing());
    }

    @Test
    void withNothingSetTheSeedsWordsAndWeightsApply() {
        ClassifierSettings settings = settings(Map.of());
        assertEquals(ClassifierSettings.seedDefaults(), settings);
    }

    @Test
    void aTasksWordsReplaceTheSeedsForThatTaskOnly() {
        ClassifierSettings settings = settings(Map.of("sidecar.routing.keywords.coding", "kotlin,unit test",
                "sidecar.routing.last-user-weight", "2", "sidecar.routing.scan-chars", "1024"));
        assertEquals(List.of("kotlin", "unit test"), settings.keywordsOf(TaskType.CODING));
        assertEquals(ClassifierSettings.seedDefaults().keywordsOf(TaskType.RESEARCH), settings.keywordsOf(TaskType.RESEARCH));
        assertEquals(2.0, settings.lastUserWeight());
        assertEquals(1024, settings.scanChars());
    }

    @Test
    void anUnknownTaskOrAnOutOfRangeValueStopsTheStartNamingTheKey() {
        ConfigurationException unknown = assertThrows(ConfigurationException.class,
                () -> settings(Map.of("sidecar.routing.keywords.poetry", "sonnet")));
        assertEquals("sidecar.routing.keywords.poetry names no task: use coding, research, creative or analysis", unknown.getMessage());
        ConfigurationException general = assertThrows(ConfigurationException.class,
                () -> settings(Map.of("sidecar.routing.keywords.general", "hello")));
        assertEquals("sidecar.routing.keywords.general names no task: use coding, research, creative or analysis", general.getMessage());
        ConfigurationException confidence = assertThrows(ConfigurationException.class,
                () -> settings(Map.of("sidecar.routing.min-confidence", "1.5")));
        assertEquals("sidecar.routing.min-confidence must be between 0 and 1, was 1.5", confidence.getMessage());
        ConfigurationException word = assertThrows(ConfigurationException.class,
                () -> settings(Map.of("sidecar.routing.keywords.coding", "c++")));
        assertEquals(true, word.getMessage().startsWith("sidecar.routing.keywords.coding: 'c++'"), word.getMessage());
    }
}
