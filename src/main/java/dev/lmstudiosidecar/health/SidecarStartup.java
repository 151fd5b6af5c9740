package dev.lmstudiosidecar.health;

import dev.lmstudiosidecar.models.ModelDiscovery;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/**
 * Startup ({@code /q/health/started}): UP once the first health check finished, the request path was
 * warmed up ({@link StartupWarmUp}) and the kept-warm models were loaded, or after
 * {@code sidecar.startup.max-wait}. Until then Kubernetes holds back
 * the readiness and liveness probes, so a slow first load neither restarts the pod nor counts as
 * not ready. Like the other probes, it reads what is known and never calls out.
 */
@Startup
@Singleton
public class SidecarStartup implements HealthCheck {

    private final HealthMonitor monitor;
    private final ModelDiscovery discovery;
    private final StartupWarmUp warmUp;
    private final StartupGate gate;

    SidecarStartup(HealthMonitor monitor, ModelDiscovery discovery, StartupWarmUp warmUp, HealthSettings settings) {
        this.monitor = monitor;
        this.discovery = discovery;
        this.warmUp = warmUp;
        this.gate = new StartupGate(settings.keptWarm(), settings.startupMaxWait(), System::nanoTime);
    }

    /** Made at start, not at the first probe: the wait counts from the start. */
    void start(@Observes StartupEvent started) {
        // nothing else to do: being observed creates the bean now
    }

    @Override
    public HealthCheckResponse call() {
        return HealthResponses.of("startup", gate.judge(monitor.snapshot().checked(),
                new StartupGate.WarmUp(warmUp.finished(), warmUp.outcome()), discovery.inventory()));
    }
}
