package dev.lmstudiosidecar.models;

import java.util.Locale;
import java.util.Optional;

/** The seed's task types: what a request is for, given as a hint or found by the classifier. */
public enum TaskType {
    CODING, RESEARCH, CREATIVE, ANALYSIS, GENERAL;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<TaskType> fromWire(String value) {
        for (TaskType t : values()) {
            if (t.wireName().equalsIgnoreCase(value.trim())) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
