package dev.lmstudiosidecar.health;

import dev.lmstudiosidecar.shutdown.GracefulShutdown;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
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
    private final GracefulShutdown shutdown;

    SidecarReadiness(HealthMonitor monitor, HealthSettings settings, GracefulShutdown shutdown) {
        this.monitor = monitor;
        this.shutdown = shutdown;
        this.rules = new ReadinessRules(settings.readinessMode(), settings.cloudCounts(), settings.requiredModels().source());
    }

    @Override
    public HealthCheckResponse call() {
        if (shutdown.draining()) { // whatever the backends' state: the pod is going away
            return HealthResponses.of("backends", new ProbeVerdict(false, Map.of("shuttingDown", "true")));
        }
        return HealthResponses.of("backends", rules.judge(monitor.snapshot()));
    }
}
