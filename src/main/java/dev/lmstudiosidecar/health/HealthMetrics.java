package dev.lmstudiosidecar.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The health monitor's findings for Prometheus: each check's latency and outcome
 * ({@code sidecar_health_check_duration_seconds}), each backend's status ({@code sidecar_health_status},
 * the {@link HealthStatus} ordinal: 0 unknown, 1 healthy, 2 degraded, 3 unhealthy) and the readiness
 * verdict ({@code sidecar_ready}, 1 or 0, what {@code /q/health/ready} answers). The gauges read the
 * monitor's last result, as the probes do: scraping calls no backend.
 */
@Startup // nothing injects it: it registers its meters when the sidecar starts
@Singleton
class HealthMetrics {

    /** A listing answers in milliseconds; one bounded by a timeout takes seconds. */
    private static final Duration[] CHECK_BUCKETS = {
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30)};

    HealthMetrics(MeterRegistry registry, HealthMonitor monitor, @Readiness SidecarReadiness readiness) {
        HealthSnapshot first = monitor.snapshot();
        status(registry, monitor, first.lmstudio().backend(), snapshot -> Optional.of(snapshot.lmstudio()));
        first.cloud().ifPresent(cloud -> status(registry, monitor, cloud.backend(), HealthSnapshot::cloud));
        // What the probe answers, asked of the probe itself.
        Gauge.builder("sidecar.ready", readiness, check -> check.call().getStatus() == HealthCheckResponse.Status.UP ? 1 : 0)
                .description("1 when /q/health/ready is UP, else 0")
                .register(registry);
        monitor.onCheck((backend, ok, tookMillis) -> Timer.builder("sidecar.health.check.duration")
                .description("health checks of each backend (LM Studio's is its model listing) and how long each took")
                .tag("backend", backend)
                .tag("outcome", ok ? "success" : "failure")
                .serviceLevelObjectives(CHECK_BUCKETS)
                .register(registry)
                .record(tookMillis, TimeUnit.MILLISECONDS));
    }

    private static void status(MeterRegistry registry, HealthMonitor monitor, String backend,
                               Function<HealthSnapshot, Optional<ProviderHealth>> of) {
        Gauge.builder("sidecar.health.status", monitor,
                        m -> of.apply(m.snapshot()).map(health -> health.status().ordinal()).orElse(HealthStatus.UNKNOWN.ordinal()))
                .tag("backend", backend)
                .description("0 unknown, 1 healthy, 2 degraded, 3 unhealthy")
                .register(registry);
    }
}
