package dev.lmstudiosidecar.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmstudiosidecar.metrics.ModelPerformance;
import dev.lmstudiosidecar.health.HealthSnapshot;
import dev.lmstudiosidecar.health.ProviderHealth;
import dev.lmstudiosidecar.models.DiscoveredModel;
import dev.lmstudiosidecar.models.ModelCapabilities;
import dev.lmstudiosidecar.models.ModelInfo;
import dev.lmstudiosidecar.models.ModelInventory;
import dev.lmstudiosidecar.models.ResourceMetrics;
import dev.lmstudiosidecar.models.TaskType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The admin API's answers, built as JSON trees by hand: no reflection, so nothing to register for
 * native. Field names are the seed's ({@code ModelCapabilities}, {@code ResourceMetrics},
 * {@code PerformanceMetrics}): camelCase.
 */
final class AdminJson {

    private final ObjectMapper json;

    AdminJson(ObjectMapper json) {
        this.json = json;
    }

    /** @param lastError why the last listing failed: then what follows is the listing before it, stale */
    ObjectNode models(ModelInventory inventory, Optional<String> lastError, List<ModelInfo> models) {
        ObjectNode root = json.createObjectNode();
        root.put("source", inventory.known() ? inventory.api().path() : null);
        root.put("listedAt", inventory.known() ? inventory.listedAt().toString() : null);
        root.put("stale", lastError.isPresent());
        root.put("lastError", lastError.orElse(null));
        ArrayNode data = root.putArray("data");
        models.forEach(model -> data.add(model(model)));
        return root;
    }

    ObjectNode model(ModelInfo info) {
        ObjectNode node = json.createObjectNode().put("id", info.key()).put("state", info.state());
        DiscoveredModel found = info.discovered();
        if (found != null) {
            node.put("type", found.embedding() ? "embedding" : "llm");
            ArrayNode instances = node.putArray("instances");
            found.instances().forEach(i -> instances.addObject().put("id", i.id()).put("contextLength", i.contextLength()));
            putIfKnown(node, "sizeBytes", found.sizeBytes());
        }
        node.put("memoryGB", round(info.memoryHeldGB()));
        node.put("capabilitySource", info.source().wireName());
        node.set("capabilities", capabilities(info.capabilities()));
        return node;
    }

    private ObjectNode capabilities(ModelCapabilities c) {
        ObjectNode node = json.createObjectNode()
                .put("modelName", c.modelName())
                .put("provider", c.provider())
                .put("parameterCount", c.parameterCount())
                .put("quantization", c.quantization())
                .put("memoryRequirement", c.memoryRequirementGB())
                .put("maxContextLength", c.maxContextLength())
                .put("minMemoryGB", c.minMemoryGB())
                .put("preferredGPU", c.preferredGpu())
                .put("inferred", c.inferred());
        ArrayNode tasks = node.putArray("supportedTasks");
        c.supportedTasks().forEach(task -> tasks.add(task.wireName()));
        node.set("performanceScores", byTask(c.performanceScores()));
        node.set("estimatedLatency", byTask(c.estimatedLatencyMs()));
        return node;
    }

    private ObjectNode byTask(Map<TaskType, Integer> values) {
        ObjectNode node = json.createObjectNode();
        values.forEach((task, value) -> node.put(task.wireName(), value));
        return node;
    }

    ObjectNode resources(ResourceMetrics r) {
        ObjectNode root = json.createObjectNode();
        root.put("memoryBudgetGB", r.memoryBudgetGB() == null ? null : round(r.memoryBudgetGB()));
        root.put("modelMemoryGB", round(r.modelMemoryGB()));
        root.put("availableMemoryGB", r.availableMemoryGB() == null ? null : round(r.availableMemoryGB()));
        root.put("loadedModels", r.loadedModels());
        root.put("loadedInstances", r.loadedInstances());
        root.putObject("sidecar")
                .put("heapUsedMB", round(r.sidecarHeapUsedMB()))
                .put("heapMaxMB", round(r.sidecarHeapMaxMB()))
                .put("rssMB", r.sidecarRssMB() == null ? null : round(r.sidecarRssMB()));
        return root;
    }

    /** @param collecting false with {@code lmstudio.collect-metrics=false}: then nothing is tracked */
    ObjectNode performance(Duration window, boolean collecting, List<ModelPerformance> models) {
        ObjectNode root = json.createObjectNode();
        root.put("window", window.toString());
        root.put("windowSeconds", window.toMillis() / 1000.0);
        root.put("collecting", collecting);
        ArrayNode data = root.putArray("models");
        for (ModelPerformance m : models) {
            ObjectNode node = data.addObject()
                    .put("model", m.model())
                    .put("provider", m.provider())
                    .put("requests", m.requests())
                    .put("errors", m.errors())
                    .put("errorRate", round(m.errorRate()));
            node.set("latencyMs", percentiles(m.latencyP50Ms(), m.latencyP95Ms()));
            node.set("timeToFirstTokenMs", percentiles(m.ttftP50Ms(), m.ttftP95Ms()));
            node.put("outputTokensPerSecond", m.outputTokensPerSecond() == null ? null : round(m.outputTokensPerSecond()));
            node.put("inputTokens", m.inputTokens());
            node.put("outputTokens", m.outputTokens());
            node.put("cacheHitRatio", m.cacheHitRatio());
        }
        return root;
    }

    /** Null when nothing was measured: no stream has no time to first token, rather than one of 0 ms. */
    private ObjectNode percentiles(Double p50, Double p95) {
        return p50 == null ? null : json.createObjectNode().put("p50", round(p50)).put("p95", round(p95));
    }

    /** The seed's {@code ProviderHealth} of each backend, by name, as the last checks left it. */
    ObjectNode health(HealthSnapshot snapshot) {
        ObjectNode root = json.createObjectNode();
        ObjectNode backends = root.putObject("backends");
        backends.set(snapshot.lmstudio().backend(), providerHealth(snapshot.lmstudio()));
        snapshot.cloud().ifPresent(cloud -> backends.set(cloud.backend(), providerHealth(cloud)));
        return root;
    }

    private ObjectNode providerHealth(ProviderHealth h) {
        ObjectNode node = json.createObjectNode()
                .put("status", h.status().wireName())
                .put("responseTime", h.responseTime());
        h.availableModels().forEach(node.putArray("availableModels")::add);
        h.loadedModels().forEach(node.putArray("loadedModels")::add);
        h.errors().forEach(node.putArray("errors")::add);
        node.put("lastCheck", h.lastCheck() == null ? null : h.lastCheck().toString());
        node.put("testCompletion", h.testCompletion());
        return node;
    }

    private static void putIfKnown(ObjectNode node, String field, long value) {
        if (value > 0) {
            node.put(field, value);
        }
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
