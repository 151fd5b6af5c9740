package dev.lmstudiosidecar.health;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.config.SidecarConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The health settings, read once and checked against their bounds, so that a value that makes no
 * sense stops the start with a line that names it rather than making the probes lie.
 *
 * @param interval           {@code lmstudio.health-check-interval}
 * @param checkTimeout       bound on a check of the cloud provider ({@code lmstudio.discovery-timeout}, as a listing's)
 * @param testTimeout        bound on a test completion ({@code lmstudio.timeout}, as any completion's)
 * @param testCompletion     {@code lmstudio.health-check.test-completion}
 * @param testModel          {@code lmstudio.health-check.test-model}
 * @param degradedErrorRatio {@code lmstudio.health-check.degraded-error-ratio}
 * @param errorMinimumCalls  calls in a breaker's window before its ratio counts ({@code circuit-breaker.minimum-calls})
 * @param cloudCounts        a healthy cloud provider keeps the pod ready (cloud fallback on and {@code sidecar.readiness.cloud-counts})
 * @param keptWarm           {@code lmstudio.keep-models-warm}, which the startup check waits for
 */
public record HealthSettings(Duration interval, Duration checkTimeout, Duration testTimeout, boolean testCompletion,
                             Optional<String> testModel, double degradedErrorRatio, int errorMinimumCalls,
                             ReadinessMode readinessMode, RequiredModels requiredModels, boolean cloudCounts,
                             List<String> keptWarm, Duration maxEventLoopBlock, Duration startupMaxWait) {

    static final Duration MIN_EVENT_LOOP_BLOCK = Duration.ofMillis(100);
    static final Duration MAX_EVENT_LOOP_BLOCK = Duration.ofMinutes(10);
    static final Duration MAX_STARTUP_WAIT = Duration.ofHours(1);

    /** @throws IllegalArgumentException naming the setting out of bounds */
    public HealthSettings {
        testModel = testModel.map(String::strip).filter(model -> !model.isEmpty());
        keptWarm = List.copyOf(keptWarm);
        if (testCompletion && testModel.isEmpty()) {
            throw new IllegalArgumentException("lmstudio.health-check.test-completion=true needs lmstudio.health-check.test-model:"
                    + " the model the one-token completion runs on");
        }
        // Written so that NaN fails too.
        if (!(degradedErrorRatio > 0 && degradedErrorRatio <= 1)) {
            throw new IllegalArgumentException("lmstudio.health-check.degraded-error-ratio must be above 0 and at most 1 (given "
                    + degradedErrorRatio + ")");
        }
        if (maxEventLoopBlock.compareTo(MIN_EVENT_LOOP_BLOCK) < 0 || maxEventLoopBlock.compareTo(MAX_EVENT_LOOP_BLOCK) > 0) {
            throw new IllegalArgumentException("sidecar.liveness.max-event-loop-block must be from " + MIN_EVENT_LOOP_BLOCK.toMillis()
                    + " ms to " + MAX_EVENT_LOOP_BLOCK.toMinutes() + " min (given " + maxEventLoopBlock + ")");
        }
        if (startupMaxWait.isNegative() || startupMaxWait.compareTo(MAX_STARTUP_WAIT) > 0) {
            throw new IllegalArgumentException("sidecar.startup.max-wait must be from 0 to " + MAX_STARTUP_WAIT.toHours()
                    + " h (given " + startupMaxWait + ")");
        }
    }

    /** @throws IllegalArgumentException naming the setting out of bounds */
    public static HealthSettings from(LMStudioConfig lmstudio, SidecarConfig sidecar) {
        LMStudioConfig.HealthCheck check = lmstudio.healthCheck();
        List<String> keptWarm = lmstudio.keepModelsWarm().orElse(List.of());
        return new HealthSettings(lmstudio.healthCheckInterval(), lmstudio.discoveryTimeout(), lmstudio.timeout(),
                check.testCompletion(), check.testModel(), check.degradedErrorRatio(), lmstudio.circuitBreaker().minimumCalls(),
                ReadinessMode.parse(sidecar.readiness().mode()),
                RequiredModels.of(sidecar.readiness().requiredModels().orElse(List.of()), keptWarm, lmstudio.autoLoadModels()),
                lmstudio.enableCloudFallback() && sidecar.readiness().cloudCounts(), keptWarm,
                sidecar.liveness().maxEventLoopBlock(), sidecar.startup().maxWait());
    }

    /** The test completion's model, when it is on. */
    public Optional<String> testCompletionModel() {
        return testCompletion ? testModel : Optional.empty();
    }
}
