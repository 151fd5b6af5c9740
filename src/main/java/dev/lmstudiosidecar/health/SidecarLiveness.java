package dev.lmstudiosidecar.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness: the sidecar's own process answers. It never depends on LM Studio: a down LM Studio
 * must never get the pod restarted.
 */
@Liveness
@ApplicationScoped
public class SidecarLiveness implements HealthCheck {

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.up("sidecar");
    }
}
