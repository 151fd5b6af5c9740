package dev.lmstudiosidecar.health;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.config.SidecarConfig;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Reads the health settings once; the monitor needs them at start, so a bad one stops the start. */
public class HealthBeans {

    @Produces
    @Singleton
    HealthSettings healthSettings(LMStudioConfig lmstudio, SidecarConfig sidecar) {
        try {
            return HealthSettings.from(lmstudio, sidecar);
        } catch (IllegalArgumentException outOfBounds) {
            throw new ConfigurationException(outOfBounds.getMessage(), outOfBounds);
        }
    }
}
