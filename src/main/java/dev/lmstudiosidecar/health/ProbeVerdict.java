package dev.lmstudiosidecar.health;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a probe answers: UP or DOWN, and its reasons as the check's {@code data}.
 *
 * @param data in the order shown
 */
public record ProbeVerdict(boolean up, Map<String, String> data) {

    public ProbeVerdict {
        data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }
}
