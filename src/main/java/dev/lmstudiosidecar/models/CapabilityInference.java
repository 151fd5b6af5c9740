package dev.lmstudiosidecar.models;

import static dev.lmstudiosidecar.models.TaskType.ANALYSIS;
import static dev.lmstudiosidecar.models.TaskType.CODING;
import static dev.lmstudiosidecar.models.TaskType.CREATIVE;
import static dev.lmstudiosidecar.models.TaskType.GENERAL;
import static dev.lmstudiosidecar.models.TaskType.RESEARCH;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Capabilities for a discovered model that has no catalog entry, guessed from what the listing
 * says and from the model's name. Marked {@code inferred}, provider {@code lmstudio}, named by
 * the model key. The rules are few and fixed, so the same listing always gives the same answer:
 *
 * <pre>
 * parameterCount  the listed count (llama.cpp's meta.n_params), else params_string (LM Studio
 *                 0.4), else a count written in the key as its own token ("llama-3-70b",
 *                 "qwen2.5-7b-instruct", "r1-distill-qwen-1.5b", "mixtral-8x7b", "smollm2-135m";
 *                 the first such token), else the file size * 8 / bits per weight (rounded to
 *                 a million), else 0
 * bits per weight F16, BF16, F32, FP8: that number; any other name, the first number in it
 *                 + 0.5 for the block scales (Q4_K_M 4.5, Q8_0 8.5, IQ2_XS 2.5, MLX 4bit 4.5);
 *                 no number, or no quantization: 4.5 (LM Studio's usual Q4 download)
 * quantization    the listed one, else "unknown"
 * memory (GB)     the file size (LM Studio 0.4's size_bytes, llama.cpp's meta.size) * 1.2, else
 *                 parameters * bits / 8 * 1.2, else 0, in GiB like every GB of the sidecar;
 *                 one decimal; the 1.2 is KV cache and runtime. minMemoryGB is the same.
 * context         max_context_length (llama.cpp: meta.n_ctx_train), else 4096 (what LM Studio
 *                 loads with by default)
 * tasks           embedding models: none (they never stand in for chat). LLMs: GENERAL, plus
 *                   name hint (key or architecture, any case)              adds
 *                   code (coder, codestral, starcoder...), devstral        CODING, ANALYSIS
 *                   math, reason, qwq, think, r1 (as its own token)        ANALYSIS, RESEARCH
 *                   story, writer, creative, roleplay                      CREATIVE
 *                   7B or more                                             ANALYSIS, CREATIVE
 *                   30B or more                                            RESEARCH as well
 * scores          every task: a base by size (unknown 65, under 4B 60, under 10B 70,
 *                 under 30B 78, under 60B 85, else 90), +10 for a task a name hint adds
 *                 (at most 95), -15 for a task not supported
 * preferredGpu    7B parameters or more, or a file of 4 GB or more
 * latency (ms)    each supported task: 400 + 25 per billion parameters; none when the size is
 *                 unknown, so the catalog's default of 3000 applies
 * </pre>
 *
 * <p>The numbers are fitted to the seed's written entries: 3.8B gives about 500 ms and 34B
 * 1250 ms, 70B 2150 ms, as phi-3-mini, deepseek-coder-34b and llama-3-70b have them.
 */
public final class CapabilityInference {

    static final String PROVIDER = "lmstudio";
    /** LM Studio loads a model with a 4096-token context unless asked otherwise. */
    static final int DEFAULT_CONTEXT_LENGTH = 4096;

    /** KV cache, compute buffers and runtime on top of the weights. */
    private static final double MEMORY_OVERHEAD = 1.2;
    /** Most LM Studio downloads are Q4_K_M; assumed when the quantization says nothing. */
    private static final double DEFAULT_BITS_PER_WEIGHT = 4.5;
    private static final long BILLION = 1_000_000_000L;
    /** The sidecar's GB is GiB, as its config reads "24GB" and as memory is sold. */
    private static final double GIB = 1L << 30;

    /**
     * A count as its own token of the key: "7b", "1.5b", "135m", "8x7b". The look-behinds keep
     * "2.5" of "qwen2.5-7b" and "3b" of "qwen3-30b-a3b" from counting; only "7b" and "30b" do.
     */
    private static final Pattern COUNT_IN_KEY = Pattern.compile(
            "(?<![a-z0-9])(?<![0-9]\\.)(\\d+x\\d+(?:\\.\\d+)?b|\\d+(?:\\.\\d+)?[bm])(?![a-z0-9])");
    /** Float formats store exactly their width; there are no block scales to add. */
    private static final Pattern FLOAT_FORMAT = Pattern.compile("(?:b?f|fp)(8|16|32)");
    private static final Pattern FIRST_NUMBER = Pattern.compile("\\d+");

    /** A task hint in a model's name and the tasks it adds (and scores higher). */
    private record Hint(Pattern name, Set<TaskType> tasks) {}

    private static final List<Hint> HINTS = List.of(
            new Hint(Pattern.compile("code|devstral"), EnumSet.of(CODING, ANALYSIS)),
            // "r1" only as a token of its own: as a bare substring it would hit "r10", "ver1" and such.
            new Hint(Pattern.compile("math|reason|qwq|think|(?<![a-z0-9])r1(?![a-z0-9])"), EnumSet.of(ANALYSIS, RESEARCH)),
            new Hint(Pattern.compile("story|writer|creative|roleplay"), EnumSet.of(CREATIVE)));

    private CapabilityInference() {
    }

    /** The capabilities the rules in the class comment give {@code model}. */
    public static ModelCapabilities infer(DiscoveredModel model) {
        Objects.requireNonNull(model, "model");
        double bits = bitsPerWeight(model.quantization());
        long parameters = parameterCount(model, bits);
        double memoryGB = memoryGB(model.sizeBytes(), parameters, bits);

        Set<TaskType> hinted = model.embedding() ? EnumSet.noneOf(TaskType.class) : hintedTasks(model);
        Set<TaskType> supported = EnumSet.noneOf(TaskType.class);
        if (!model.embedding()) {
            supported.add(GENERAL);
            supported.addAll(hinted);
            if (parameters >= 7 * BILLION) {
                supported.addAll(EnumSet.of(ANALYSIS, CREATIVE));
            }
            if (parameters >= 30 * BILLION) {
                supported.add(RESEARCH);
            }
        }

        int base = baseScore(parameters);
        Map<TaskType, Integer> scores = new EnumMap<>(TaskType.class);
        for (TaskType task : TaskType.values()) {
            int score = hinted.contains(task) ? Math.min(95, base + 10) : base;
            scores.put(task, supported.contains(task) ? score : score - 15);
        }

        Map<TaskType, Integer> latency = new EnumMap<>(TaskType.class);
        if (parameters > 0) {
            int ms = (int) Math.round(400 + 25.0 * parameters / BILLION);
            supported.forEach(task -> latency.put(task, ms));
        }

        boolean preferredGpu = parameters >= 7 * BILLION || model.sizeBytes() >= 4 * BILLION;
        int contextLength = model.maxContextLength() > 0 ? model.maxContextLength() : DEFAULT_CONTEXT_LENGTH;
        String quantization = model.quantization() != null ? model.quantization() : "unknown";
        return new ModelCapabilities(model.key(), PROVIDER, parameters, quantization, memoryGB, contextLength,
                supported, scores, memoryGB, preferredGpu, latency, true);
    }

    private static long parameterCount(DiscoveredModel model, double bits) {
        if (model.parameterCount() > 0) {
            return model.parameterCount();
        }
        OptionalLong listed = ParameterCount.parse(model.paramsString());
        if (listed.isPresent()) {
            return listed.getAsLong();
        }
        Matcher written = COUNT_IN_KEY.matcher(model.key().toLowerCase(Locale.ROOT));
        if (written.find()) {
            OptionalLong count = ParameterCount.parse(written.group(1));
            if (count.isPresent()) {
                return count.getAsLong();
            }
        }
        if (model.sizeBytes() > 0) {
            return Math.round(model.sizeBytes() * 8 / bits / 1e6) * 1_000_000L;
        }
        return 0;
    }

    /** Effective bits per weight, scales included; see the class comment. */
    private static double bitsPerWeight(String quantization) {
        if (quantization == null) {
            return DEFAULT_BITS_PER_WEIGHT;
        }
        String name = quantization.trim().toLowerCase(Locale.ROOT);
        Matcher floatFormat = FLOAT_FORMAT.matcher(name);
        if (floatFormat.matches()) {
            return Integer.parseInt(floatFormat.group(1));
        }
        Matcher number = FIRST_NUMBER.matcher(name);
        if (number.find() && number.group().length() <= 2) {
            int bits = Integer.parseInt(number.group());
            if (bits >= 1 && bits <= 16) {
                return bits + 0.5;
            }
        }
        return DEFAULT_BITS_PER_WEIGHT;
    }

    private static double memoryGB(long sizeBytes, long parameters, double bits) {
        double weightsGB = (sizeBytes > 0 ? sizeBytes : parameters * bits / 8) / GIB;
        return Math.round(weightsGB * MEMORY_OVERHEAD * 10) / 10.0;
    }

    private static Set<TaskType> hintedTasks(DiscoveredModel model) {
        String names = (model.key() + " " + Objects.requireNonNullElse(model.architecture(), "")).toLowerCase(Locale.ROOT);
        Set<TaskType> tasks = EnumSet.noneOf(TaskType.class);
        for (Hint hint : HINTS) {
            if (hint.name().matcher(names).find()) {
                tasks.addAll(hint.tasks());
            }
        }
        return tasks;
    }

    private static int baseScore(long parameters) {
        if (parameters <= 0) {
            return 65;
        }
        if (parameters < 4 * BILLION) {
            return 60;
        }
        if (parameters < 10 * BILLION) {
            return 70;
        }
        if (parameters < 30 * BILLION) {
            return 78;
        }
        return parameters < 60 * BILLION ? 85 : 90;
    }

    /**
     * {@code entry} (written by the user, perhaps for a whole family) for one model LM Studio
     * lists: what the entry leaves unknown (0, {@code "unknown"}, no scores, no latencies) is
     * taken from what is inferred of the model, so that a glob naming only the tasks does not make
     * the model weigh 0 GB. What the entry gives stays; the result is not marked inferred.
     */
    public static ModelCapabilities fillUnknown(ModelCapabilities entry, DiscoveredModel model) {
        ModelCapabilities guess = infer(model);
        return new ModelCapabilities(model.key(), entry.provider(),
                entry.parameterCount() > 0 ? entry.parameterCount() : guess.parameterCount(),
                "unknown".equals(entry.quantization()) ? guess.quantization() : entry.quantization(),
                entry.memoryRequirementGB() > 0 ? entry.memoryRequirementGB() : guess.memoryRequirementGB(),
                entry.maxContextLength() > 0 ? entry.maxContextLength() : guess.maxContextLength(),
                entry.supportedTasks(),
                entry.performanceScores().isEmpty() ? guess.performanceScores() : entry.performanceScores(),
                entry.minMemoryGB() > 0 ? entry.minMemoryGB() : guess.minMemoryGB(),
                entry.preferredGpu() || guess.preferredGpu(),
                entry.estimatedLatencyMs().isEmpty() ? guess.estimatedLatencyMs() : entry.estimatedLatencyMs(),
                false);
    }

    /** Whether {@link #fillUnknown} would change anything of {@code entry}. */
    public static boolean hasUnknowns(ModelCapabilities entry) {
        return entry.parameterCount() == 0 || "unknown".equals(entry.quantization()) || entry.memoryRequirementGB() == 0
                || entry.maxContextLength() == 0 || entry.performanceScores().isEmpty() || entry.minMemoryGB() == 0
                || entry.estimatedLatencyMs().isEmpty();
    }
}
