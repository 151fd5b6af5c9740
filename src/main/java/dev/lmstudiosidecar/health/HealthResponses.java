package dev.lmstudiosidecar.health;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/** A probe's verdict as SmallRye Health answers it: its reasons become the check's {@code data}. */
final class HealthResponses {

    private HealthResponses() {
    }

    static HealthCheckResponse of(String name, ProbeVerdict verdict) {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(name).status(verdict.up());
        verdict.data().forEach(response::withData);
        return response.build();
    }
}
