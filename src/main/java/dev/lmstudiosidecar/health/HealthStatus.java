package dev.lmstudiosidecar.health;

import java.util.Locale;

/** The seed's {@code ProviderHealth.status} of one backend. */
public enum HealthStatus {
    /** Not checked yet. */
    UNKNOWN,
    /** It answers, has what is required of it, and few of the recent calls failed. */
    HEALTHY,
    /** It answers, but a required model is not loaded, or too many recent calls failed. */
    DEGRADED,
    /** It does not answer its check (or the test completion failed). */
    UNHEALTHY;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
