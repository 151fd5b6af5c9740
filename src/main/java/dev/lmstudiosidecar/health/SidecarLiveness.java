package dev.lmstudiosidecar.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness: the sidecar itself, never LM Studio (a stopped LM Studio must never get the pod
 * restarted). DOWN when an event loop has been blocked longer than
 * {@code sidecar.liveness.max-event-loop-block}: a sidecar stuck like that answers no one, and only
 * a restart helps.
 */
@Liveness
@ApplicationScoped
public class SidecarLiveness implements HealthCheck {

    private final EventLoopHeartbeat heartbeat;

    SidecarLiveness(EventLoopHeartbeat heartbeat) {
        this.heartbeat = heartbeat;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("sidecar")
                .withData("eventLoops", heartbeat.loops())
                .withData("maxEventLoopBlockMs", heartbeat.boundMillis());
        return heartbeat.stalled()
                .map(stall -> response.down().withData("blocked", stall.loop() + " has not run for " + stall.millis()
                        + " ms (sidecar.liveness.max-event-loop-block)"))
                .orElseGet(response::up)
                .build();
    }
}
