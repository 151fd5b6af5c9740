package dev.lmstudiosidecar.health;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** {@code sidecar.readiness.mode}: what gates the pod's traffic. */
public enum ReadinessMode {
    /** LM Studio reachable and every required model loaded (or the cloud able to take over). */
    MODELS,
    /** LM Studio lists its models, whatever is loaded (or the cloud able to take over). */
    REACHABLE,
    /** Always ready: the backends' state is shown, never acted on. */
    ALWAYS;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Read from config by hand rather than as an enum, so that a wrong value says which ones are right. */
    public static ReadinessMode parse(String text) {
        String wanted = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(mode -> mode.wireName().equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("sidecar.readiness.mode '" + text + "' is not one of "
                        + Arrays.stream(values()).map(ReadinessMode::wireName).collect(Collectors.joining(", "))));
    }
}
