package dev.lmstudiosidecar.health;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Whether the sidecar can serve LLM calls now, from the monitor's last checks alone, and why, in
 * words a person reading {@code /q/health/ready} can act on: per backend and per required model.
 */
public final class ReadinessRules {

    private final ReadinessMode mode;
    private final boolean cloudCounts;
    private final String requiredSource;

    /**
     * @param cloudCounts    whether a healthy cloud provider keeps the pod ready (cloud fallback on, and allowed to count)
     * @param requiredSource where the required models come from ({@link RequiredModels#source()})
     */
    public ReadinessRules(ReadinessMode mode, boolean cloudCounts, String requiredSource) {
        this.mode = mode;
        this.cloudCounts = cloudCounts;
        this.requiredSource = requiredSource;
    }

    public ProbeVerdict judge(HealthSnapshot snapshot) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("mode", mode.wireName());
        data.put("lmstudio", snapshot.lmstudio().summary());
        if (snapshot.required() != null && mode == ReadinessMode.MODELS) {
            data.put("lmstudio.required", requiredSource);
            for (RequiredModels.Check check : snapshot.required().checks()) {
                data.put(check.what().equals(RequiredModels.ANY_CHAT_MODEL) ? "lmstudio.models" : "lmstudio.model." + check.what(), check.state());
            }
        }
        data.put("cloud", snapshot.cloud().map(ProviderHealth::summary).orElse("not configured (cloud.base-url)"));
        Optional<String> shortfall = lmStudioShortfall(snapshot);
        boolean up;
        String reason;
        if (mode == ReadinessMode.ALWAYS) {
            up = true;
            reason = "sidecar.readiness.mode=always: ready whatever the backends' state";
        } else if (shortfall.isEmpty()) {
            up = true;
            reason = mode == ReadinessMode.REACHABLE ? "LM Studio lists its models"
                    : "LM Studio lists its models and has what is required (" + requiredSource + ")";
        } else if (cloudTakesOver(snapshot)) {
            up = true;
            reason = shortfall.get() + "; the cloud provider is healthy and takes over"
                    + " (lmstudio.enable-cloud-fallback, sidecar.readiness.cloud-counts)";
        } else {
            up = false;
            reason = shortfall.get() + cloudNote(snapshot);
        }
        data.put("reason", reason);
        return new ProbeVerdict(up, data);
    }

    /** Why LM Studio does not meet the mode; empty when it does. */
    private Optional<String> lmStudioShortfall(HealthSnapshot snapshot) {
        ProviderHealth lmstudio = snapshot.lmstudio();
        if (!snapshot.checked()) {
            return Optional.of("no health check of LM Studio has finished yet");
        }
        if (!snapshot.reachable()) {
            return Optional.of("LM Studio does not answer: " + String.join("; ", lmstudio.errors()));
        }
        if (mode != ReadinessMode.MODELS) {
            return Optional.empty();
        }
        if (!snapshot.required().met()) {
            return Optional.of("LM Studio lacks what is required (" + requiredSource + "): " + snapshot.required().unmet().stream()
                    .map(check -> check.what() + " " + check.state()).collect(Collectors.joining("; ")));
        }
        if (lmstudio.status() == HealthStatus.UNHEALTHY) {
            return Optional.of("LM Studio is unhealthy: " + String.join("; ", lmstudio.errors()));
        }
        return Optional.empty();
    }

    private boolean cloudTakesOver(HealthSnapshot snapshot) {
        return cloudCounts && snapshot.cloud().filter(cloud -> cloud.status() == HealthStatus.HEALTHY).isPresent();
    }

    private String cloudNote(HealthSnapshot snapshot) {
        if (snapshot.cloud().isEmpty()) {
            return "";
        }
        if (!cloudCounts) {
            return "; the cloud provider does not count (it needs lmstudio.enable-cloud-fallback=true and sidecar.readiness.cloud-counts=true)";
        }
        return "; the cloud provider cannot take over: it is " + snapshot.cloud().get().status().wireName();
    }
}
