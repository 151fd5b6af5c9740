package dev.lmstudiosidecar.health;

import java.util.Objects;
import java.util.Optional;

/**
 * What the monitor knows after its last checks. Immutable and replaced whole, so that a probe reads
 * one consistent picture, without a lock and without a call out.
 *
 * @param lmstudio  LM Studio's health
 * @param reachable whether LM Studio's last listing succeeded
 * @param required  what readiness requires of LM Studio's models, as that listing met it; null unless it succeeded
 * @param cloud     the cloud provider's health; empty when none is configured
 */
public record HealthSnapshot(ProviderHealth lmstudio, boolean reachable, RequiredModels.Evaluation required,
                             Optional<ProviderHealth> cloud) {

    public HealthSnapshot {
        Objects.requireNonNull(lmstudio, "lmstudio");
        Objects.requireNonNull(cloud, "cloud");
        if (reachable && required == null) {
            throw new IllegalArgumentException("a listing that succeeded has its required models evaluated");
        }
    }

    /** Before any check: nothing known, LM Studio not reachable as far as anyone can tell. */
    public static HealthSnapshot beforeChecks(String lmstudioName, Optional<String> cloudName) {
        return new HealthSnapshot(ProviderHealth.unknown(lmstudioName), false, null, cloudName.map(ProviderHealth::unknown));
    }

    /** Whether LM Studio's health was checked at least once. */
    public boolean checked() {
        return lmstudio.status() != HealthStatus.UNKNOWN;
    }
}
