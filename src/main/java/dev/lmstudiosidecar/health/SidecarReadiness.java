package dev.lmstudiosidecar.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: whether this sidecar can serve LLM calls now ({@code sidecar.readiness.mode}). It reads
 * the monitor's last checks and never calls out, so a kubelet probing every second cannot load LM
 * Studio; a change shows within one {@code health-check-interval}.
 */
@Readiness
@ApplicationScoped
public class SidecarReadiness implements HealthCheck {

    private final HealthMonitor monitor;
    private final ReadinessRules rules;

    SidecarReadiness(HealthMonitor monitor, HealthSettings settings) {
        this.monitor = monitor;
        this.rules = new ReadinessRules(settings.readinessMode(), settings.cloudCounts(), settings.requiredModels().source());
    }

    @Override
    public HealthCheckResponse call() {
        return HealthResponses.of("backends", rules.judge(monitor.snapshot()));
    }
}
