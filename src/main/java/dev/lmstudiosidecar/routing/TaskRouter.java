package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.config.SidecarConfig;
import dev.lmstudiosidecar.models.DiscoveredModel;
import dev.lmstudiosidecar.models.ModelCapabilities;
import dev.lmstudiosidecar.models.ModelDirectory;
import dev.lmstudiosidecar.models.ModelInfo;
import dev.lmstudiosidecar.models.ResourceMonitor;
import dev.lmstudiosidecar.models.TaskType;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Routes a request for {@code model: "auto"}: classifies it (unless the caller named the task), then
 * picks among the models LM Studio has, as the directory and the resource monitor see them now, and
 * learns each model's time to first byte from the answers that follow.
 */
@Singleton
public class TaskRouter {

    private static final byte[] WARM_UP_BODY = ("{\"model\":\"auto\",\"messages\":[{\"role\":\"system\",\"content\":\"You are "
            + "a helpful assistant.\"},{\"role\":\"user\",\"content\":\"Debug this function and write a short story about it.\"}]}")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /** What a decision with no model is counted under. */
    static final String NO_MODEL = "none";

    private final ModelDirectory directory;
    private final ResourceMonitor resources;
    private final boolean autoLoad;
    private final TaskClassifier classifier;
    private final LatencyTracker latency = new LatencyTracker();
    private final ModelSelector selector = new ModelSelector(latency);
    private final MeterRegistry registry;
    /** Decisions by task and model; models come from LM Studio's listing, so the series stay few. */
    private final Map<String, LongAdder> decisions = new ConcurrentHashMap<>();

    TaskRouter(ModelDirectory directory, ResourceMonitor resources, LMStudioConfig lmstudio, SidecarConfig sidecar, MeterRegistry registry) {
        this.directory = directory;
        this.resources = resources;
        this.autoLoad = lmstudio.autoLoadModels();
        this.classifier = new TaskClassifier(settings(sidecar.routing()));
        this.registry = registry;
    }

    /** The seed's keywords, with each task {@code sidecar.routing.keywords.<task>} sets replaced. */
    static ClassifierSettings settings(SidecarConfig.Routing routing) {
        ClassifierSettings seed = ClassifierSettings.seedDefaults();
        Map<TaskType, List<String>> keywords = new EnumMap<>(seed.keywords());
        routing.keywords().forEach((name, words) -> {
            TaskType task = TaskType.fromWire(name).filter(t -> t != TaskType.GENERAL).orElseThrow(() -> invalid(
                    "sidecar.routing.keywords." + name + " names no task: use coding, research, creative or analysis"));
            keywords.put(task, words);
        });
        try {
            return new ClassifierSettings(keywords, routing.lastUserWeight(), routing.contextWeight(), routing.codeWeight(),
                    routing.minConfidence(), routing.scanChars());
        } catch (IllegalArgumentException bad) {
            throw invalid(asConfigKey(bad.getMessage()));
        }
    }

    /** "minConfidence must be ..." as the operator wrote it: "sidecar.routing.min-confidence must be ...". */
    static String asConfigKey(String settingsMessage) {
        int end = settingsMessage.indexOf(' ');
        String field = end < 0 ? settingsMessage : settingsMessage.substring(0, end);
        String key = field.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
        return "sidecar.routing." + key + (end < 0 ? "" : settingsMessage.substring(end));
    }

    private static ConfigurationException invalid(String message) {
        return new ConfigurationException(message);
    }

    /** The task the caller named, else the classifier's reading of the body (a chat or a completion, already validated). */
    public TaskClassification classify(Optional<TaskType> named, byte[] body, int offset, int length) {
        return named.map(TaskClassification::explicit)
                .orElseGet(() -> classifier.classify(ChatTexts.fromBody(body, offset, length, classifier.settings().scanChars())));
    }

    /** Which model serves {@code classification}'s task now; counted for Prometheus. */
    public RouteDecision route(TaskClassification classification) {
        RouteDecision decision = dryRun(classification);
        count(classification.primary(), decision.chosen().map(ScoredModel::model).orElse(NO_MODEL));
        return decision;
    }

    /** As {@link #route}, without counting it: {@code POST /admin/route}. */
    public RouteDecision dryRun(TaskClassification classification) {
        List<ModelInfo> models = directory.models();
        return selector.select(classification, routable(models), resources.availableMemoryGB(models), autoLoad);
    }

    /**
     * Routes a made-up request {@code count} times, or until {@code deadlineNanos}, without counting it: the start-up
     * warm-up's share, so that the first requests for {@code auto} do not run the classifier and the selector cold.
     *
     * @return how many times it ran
     */
    public int warmUp(int count, long deadlineNanos) {
        int done = 0;
        while (done < count && System.nanoTime() - deadlineNanos < 0) {
            dryRun(classify(Optional.empty(), WARM_UP_BODY, 0, WARM_UP_BODY.length));
            done++;
        }
        return done;
    }

    /** How long {@code model} took to send the first token of a stream for {@code task}: the selector's learned latency. */
    public void answered(String model, TaskType task, long firstTokenMillis) {
        latency.observe(model, task, firstTokenMillis);
    }

    /** The models LM Studio has (a catalog entry it does not have cannot serve), each under its own key. */
    private static List<RoutableModel> routable(List<ModelInfo> directory) {
        List<RoutableModel> models = new ArrayList<>();
        for (ModelInfo info : directory) {
            if (info.discovered() != null) {
                // A server that does not say what is in memory (llama.cpp's llama-server, vLLM) serves what it lists.
                boolean serving = info.loaded() || info.discovered().state() == DiscoveredModel.LoadState.UNKNOWN;
                models.add(new RoutableModel(named(info.capabilities(), info.key()), serving, info.discovered().embedding()));
            }
        }
        return models;
    }

    /** A model known through a glob entry ({@code *coder*}) is asked for by its key, not the glob. */
    private static ModelCapabilities named(ModelCapabilities c, String key) {
        if (c.modelName().equals(key)) {
            return c;
        }
        return new ModelCapabilities(key, c.provider(), c.parameterCount(), c.quantization(), c.memoryRequirementGB(),
                c.maxContextLength(), c.supportedTasks(), c.performanceScores(), c.minMemoryGB(), c.preferredGpu(),
                c.estimatedLatencyMs(), c.inferred());
    }

    private void count(TaskType task, String model) {
        decisions.computeIfAbsent(task.wireName() + '\n' + model, key -> {
            LongAdder adder = new LongAdder();
            FunctionCounter.builder("sidecar.routing.decisions", adder, LongAdder::sum)
                    .description("Requests for model \"auto\", by the task they were routed for and the model chosen (none: no model could serve)")
                    .tag("task", task.wireName()).tag("model", model)
                    .register(registry);
            return adder;
        }).increment();
    }
}
