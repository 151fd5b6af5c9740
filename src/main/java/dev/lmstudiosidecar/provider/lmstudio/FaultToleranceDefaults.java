package dev.lmstudiosidecar.provider.lmstudio;

import dev.lmstudiosidecar.config.LMStudioConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Gives the Fault Tolerance timeouts of {@link LMStudioRestCalls} the values users set with
 * {@code lmstudio.discovery-timeout} (listings, unload, greeting) and {@code lmstudio.load-timeout}
 * (loads). Annotation values are constants, and a property expression cannot turn a duration such
 * as {@code 5s} into Fault Tolerance's number and unit, so this config source does: it writes
 * {@code smallrye.faulttolerance."<class>/<method>".timeout.value} (in milliseconds) and
 * {@code .timeout.unit} from the {@code lmstudio.*} keys. Its ordinal is below
 * {@code application.properties}, environment variables and system properties, so the Fault
 * Tolerance keys set in any of those win (in either spelling, {@code smallrye.faulttolerance.*} or
 * {@code quarkus.fault-tolerance.*}). Registered in {@code META-INF/services}.
 */
public final class FaultToleranceDefaults implements ConfigSourceFactory {

    /** Below application.properties (250), environment (300) and system properties (400). */
    static final int ORDINAL = 200;
    static final String SOURCE_NAME = "lmstudio.* bounds of LM Studio's REST API calls";
    static final String DISCOVERY_TIMEOUT = "lmstudio.discovery-timeout";
    static final String LOAD_TIMEOUT = "lmstudio.load-timeout";
    /** The methods of {@link LMStudioRestCalls} bounded by {@code lmstudio.discovery-timeout}. */
    static final List<String> CONTROL_CALLS = List.of("list", "unload", "greeting");
    static final String LOAD_CALL = "load";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Map<String, String> properties = new HashMap<>();
        millis(context, DISCOVERY_TIMEOUT).ifPresent(ms -> CONTROL_CALLS.forEach(call -> putTimeout(properties, call, ms)));
        millis(context, LOAD_TIMEOUT).ifPresent(ms -> putTimeout(properties, LOAD_CALL, ms));
        return List.of(new PropertiesConfigSource(properties, SOURCE_NAME, ORDINAL));
    }

    /** Unset or unreadable: nothing here, and the annotation's value (the key's default) holds; the config mapping reports a bad value. */
    private static Optional<Long> millis(ConfigSourceContext context, String key) {
        ConfigValue value = context.getValue(key);
        if (value == null || value.getValue() == null || value.getValue().isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(DurationConverter.parseDuration(value.getValue().trim()).toMillis());
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    private static void putTimeout(Map<String, String> properties, String call, long millis) {
        properties.put(timeoutKey(call, "value"), Long.toString(millis));
        properties.put(timeoutKey(call, "unit"), ChronoUnit.MILLIS.name());
    }

    static String timeoutKey(String call, String member) {
        return "smallrye.faulttolerance.\"" + LMStudioRestCalls.class.getName() + "/" + call + "\".timeout." + member;
    }

    /** A call's timeout in force, and the setting that gave it (named when it runs out). */
    record Bound(Duration timeout, String setting) {
    }

    /** The timeouts in force, read as Fault Tolerance reads them. */
    record Bounds(Map<String, Bound> byCall) {

        static Bounds read(LMStudioConfig lmstudio) {
            Config config = ConfigProvider.getConfig();
            Map<String, Bound> byCall = new HashMap<>();
            CONTROL_CALLS.forEach(call -> byCall.put(call, bound(config, call, lmstudio.discoveryTimeout(), DISCOVERY_TIMEOUT)));
            byCall.put(LOAD_CALL, bound(config, LOAD_CALL, lmstudio.loadTimeout(), LOAD_TIMEOUT));
            return new Bounds(Map.copyOf(byCall));
        }

        private static Bound bound(Config config, String call, Duration fallback, String lmstudioKey) {
            org.eclipse.microprofile.config.ConfigValue value = config.getConfigValue(timeoutKey(call, "value"));
            if (value.getValue() == null) {
                return new Bound(fallback, lmstudioKey); // unset: the annotation's value, which is the key's default
            }
            ChronoUnit unit = config.getOptionalValue(timeoutKey(call, "unit"), ChronoUnit.class).orElse(ChronoUnit.MILLIS);
            Duration timeout = Duration.of(Long.parseLong(value.getValue().trim()), unit);
            // The name of a factory's source may come wrapped in more words.
            boolean derived = value.getSourceName() != null && value.getSourceName().contains(SOURCE_NAME);
            return new Bound(timeout, derived ? lmstudioKey : timeoutKey(call, "value"));
        }

        Bound of(String call) {
            return byCall.get(call);
        }

        /** The longest bound of the calls on the control client: its read timeout. */
        Duration control() {
            return CONTROL_CALLS.stream().map(call -> byCall.get(call).timeout()).max(Duration::compareTo).orElseThrow();
        }

        Duration load() {
            return byCall.get(LOAD_CALL).timeout();
        }
    }
}
