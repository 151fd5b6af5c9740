package dev.lmstudiosidecar.models;

import static dev.lmstudiosidecar.models.DiscoveredModel.LoadState.LOADED;
import static dev.lmstudiosidecar.models.DiscoveredModel.LoadState.NOT_LOADED;
import static dev.lmstudiosidecar.models.DiscoveredModel.LoadState.UNKNOWN;
import static dev.lmstudiosidecar.models.DiscoveredModel.ModelType.EMBEDDING;
import static dev.lmstudiosidecar.models.DiscoveredModel.ModelType.LLM;
import static dev.lmstudiosidecar.models.TaskType.ANALYSIS;
import static dev.lmstudiosidecar.models.TaskType.CODING;
import static dev.lmstudiosidecar.models.TaskType.CREATIVE;
import static dev.lmstudiosidecar.models.TaskType.GENERAL;
import static dev.lmstudiosidecar.models.TaskType.RESEARCH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.models.DiscoveredModel.LoadedInstance;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CapabilityInferenceTest {

    /** As LM Studio 0.4 lists a model: size, parameters and quantization known. */
    private static DiscoveredModel listed(String key, long sizeBytes, String quantization, String params, String arch) {
        return new DiscoveredModel(key, LLM, NOT_LOADED, List.of(), sizeBytes, 32768, quantization, params, 0, arch);
    }

    /** As LM Studio 0.3 lists a model: no size, no parameter count. */
    private static DiscoveredModel named(String key, String quantization) {
        return new DiscoveredModel(key, LLM, NOT_LOADED, List.of(), 0, 0, quantization, null, 0, null);
    }

    /** As a generic OpenAI server lists a model: the name and nothing else. */
    private static DiscoveredModel nameOnly(String key) {
        return new DiscoveredModel(key, LLM, UNKNOWN, List.of(), 0, 0, null, null, 0, null);
    }

    /** As llama.cpp's llama-server lists a model: its {@code meta} gives size, parameters and trained context. */
    private static DiscoveredModel withMeta(String key, long sizeBytes, int nCtxTrain, long nParams) {
        return new DiscoveredModel(key, LLM, UNKNOWN, List.of(), sizeBytes, nCtxTrain, null, null, nParams, null);
    }

    private static ModelCapabilities infer(DiscoveredModel model) {
        return CapabilityInference.infer(model);
    }

    @Test
    void smallModelWithoutNameHintsDoesGeneralChatOnly() {
        DiscoveredModel phi = new DiscoveredModel("phi-3-mini", LLM, NOT_LOADED, List.of(),
                2_390_000_000L, 4096, "Q4_K_M", "3.8B", 0, "phi3");

        assertEquals(new ModelCapabilities("phi-3-mini", "lmstudio", 3_800_000_000L, "Q4_K_M", 2.7, 4096,
                        EnumSet.of(GENERAL),
                        Map.of(GENERAL, 60, CODING, 45, ANALYSIS, 45, RESEARCH, 45, CREATIVE, 45),
                        2.7, false,
                        Map.of(GENERAL, 495),
                        true),
                infer(phi));
    }

    @Test
    void coderInNameMeansCoding() {
        // The seed's deepseek-coder-34b as LM Studio 0.3 would list it: only the key says its size.
        ModelCapabilities coder = infer(named("deepseek-coder-34b", "Q4_K_M"));

        assertEquals(new ModelCapabilities("deepseek-coder-34b", "lmstudio", 34_000_000_000L, "Q4_K_M", 21.4,
                        4096,
                        EnumSet.allOf(TaskType.class),
                        Map.of(CODING, 95, ANALYSIS, 95, GENERAL, 85, CREATIVE, 85, RESEARCH, 85),
                        21.4, true,
                        Map.of(CODING, 1250, ANALYSIS, 1250, GENERAL, 1250, CREATIVE, 1250, RESEARCH, 1250),
                        true),
                coder);
    }

    @Test
    void everyCodeNameHintAddsCodingAndAnalysisEvenToASmallModel() {
        for (String key : List.of("qwen2.5-coder-1.5b-instruct", "codestral-1b", "starcoder2-3b", "devstral-small-2b",
                "CodeLlama-2B")) {
            ModelCapabilities c = infer(nameOnly(key));
            assertEquals(EnumSet.of(GENERAL, CODING, ANALYSIS), c.supportedTasks(), key);
            assertEquals(70, c.performanceFor(CODING), key);
            assertEquals(60, c.performanceFor(GENERAL), key);
            assertEquals(45, c.performanceFor(CREATIVE), key);
        }
    }

    @Test
    void architectureCountsAsANameHint() {
        ModelCapabilities c = infer(listed("my-finetune", 1_800_000_000L, "Q4_K_M", "3B", "starcoder2"));

        assertEquals(EnumSet.of(GENERAL, CODING, ANALYSIS), c.supportedTasks());
    }

    @Test
    void reasoningNamesMeanAnalysisAndResearch() {
        for (String key : List.of("deepseek-r1-distill-qwen-1.5b", "DeepSeek-R1-0528-Qwen3-1.7B", "qwq-mini-3b",
                "phi-4-mini-reasoning-3.8b", "mathstral-2b", "smol-thinker-1b")) {
            ModelCapabilities c = infer(nameOnly(key));
            assertEquals(EnumSet.of(GENERAL, ANALYSIS, RESEARCH), c.supportedTasks(), key);
            assertEquals(70, c.performanceFor(ANALYSIS), key);
            assertEquals(70, c.performanceFor(RESEARCH), key);
            assertEquals(45, c.performanceFor(CODING), key);
        }
    }

    @Test
    void r1CountsOnlyAsAWordOfItsOwn() {
        assertEquals(EnumSet.of(GENERAL), infer(nameOnly("smollm-1.7b-r128")).supportedTasks());
        assertEquals(EnumSet.of(GENERAL), infer(nameOnly("tinyllama-ver1-1.1b")).supportedTasks());
    }

    @Test
    void storyNamesMeanCreative() {
        for (String key : List.of("tinyllama-1.1b-roleplay", "storyteller-3b", "gemma-writer-2b", "creative-1b")) {
            ModelCapabilities c = infer(nameOnly(key));
            assertEquals(EnumSet.of(GENERAL, CREATIVE), c.supportedTasks(), key);
            assertEquals(70, c.performanceFor(CREATIVE), key);
        }
    }

    @Test
    void sevenBillionParametersAddAnalysisAndCreativeAndThirtyAddResearch() {
        assertEquals(EnumSet.of(GENERAL), infer(named("model-6.9b", null)).supportedTasks());
        assertEquals(EnumSet.of(GENERAL, ANALYSIS, CREATIVE), infer(named("model-7b", null)).supportedTasks());
        assertEquals(EnumSet.of(GENERAL, ANALYSIS, CREATIVE), infer(named("model-29b", null)).supportedTasks());
        assertEquals(EnumSet.of(GENERAL, ANALYSIS, CREATIVE, RESEARCH), infer(named("model-30b", null)).supportedTasks());
    }

    @Test
    void llama3_70bFromItsNameAloneSupportsWhatTheSeedSays() {
        ModelCapabilities seed = CapabilityCatalog.builtIn().find("llama-3-70b").orElseThrow();

        ModelCapabilities inferred = infer(named("llama-3-70b", "Q4_K_M"));

        assertEquals(seed.supportedTasks(), inferred.supportedTasks());
        assertEquals(Map.of(GENERAL, 90, ANALYSIS, 90, CREATIVE, 90, RESEARCH, 90, CODING, 75),
                inferred.performanceScores());
        assertEquals(44.0, inferred.memoryRequirementGB()); // 70e9 * 4.5 bits / 8 = 36.7 GiB, times 1.2
    }

    @Test
    void scoresRiseByTenForAHintedTaskButStopAt95() {
        ModelCapabilities c = infer(named("qwen2.5-coder-72b", "Q4_K_M"));

        assertEquals(95, c.performanceFor(CODING));
        assertEquals(90, c.performanceFor(GENERAL));
    }

    @Test
    void baseScoreFollowsSize() {
        assertEquals(60, infer(named("m-3.9b", null)).performanceFor(GENERAL));
        assertEquals(70, infer(named("m-4b", null)).performanceFor(GENERAL));
        assertEquals(78, infer(named("m-10b", null)).performanceFor(GENERAL));
        assertEquals(85, infer(named("m-30b", null)).performanceFor(GENERAL));
        assertEquals(90, infer(named("m-60b", null)).performanceFor(GENERAL));
        assertEquals(65, infer(named("mystery", null)).performanceFor(GENERAL));
    }

    @Test
    void embeddingModelsStandInForNoChatTask() {
        DiscoveredModel nomic = new DiscoveredModel("text-embedding-nomic-embed-text-v1.5", EMBEDDING, LOADED,
                List.of(new LoadedInstance("text-embedding-nomic-embed-text-v1.5", 2048)),
                84_000_000L, 2048, "Q8_0", "137M", 0, null);

        assertEquals(new ModelCapabilities("text-embedding-nomic-embed-text-v1.5", "lmstudio", 137_000_000L, "Q8_0",
                        0.1, 2048,
                        EnumSet.noneOf(TaskType.class),
                        Map.of(GENERAL, 45, CODING, 45, ANALYSIS, 45, RESEARCH, 45, CREATIVE, 45),
                        0.1, false,
                        Map.of(),
                        true),
                infer(nomic));
    }

    @Test
    void aCodeHintInAnEmbeddingModelsNameAddsNothing() {
        DiscoveredModel jina = new DiscoveredModel("jina-embeddings-v2-base-code", EMBEDDING, NOT_LOADED, List.of(),
                323_000_000L, 8192, "F16", "161M", 0, "jina-bert-v2");

        ModelCapabilities c = infer(jina);

        assertEquals(EnumSet.noneOf(TaskType.class), c.supportedTasks());
        assertEquals(45, c.performanceFor(CODING));
    }

    @Test
    void parameterCountComesFromSizeWhenNothingElseSaysIt() {
        // 4.5 GB at Q4_K_M's 4.5 effective bits a weight is 8 billion weights.
        assertEquals(8_000_000_000L, infer(listed("mystery-model", 4_500_000_000L, "Q4_K_M", null, "llama")).parameterCount());
        assertEquals(8_000_000_000L, infer(listed("mystery-model", 8_500_000_000L, "Q8_0", null, "llama")).parameterCount());
        assertEquals(1_000_000_000L, infer(listed("mystery-model", 2_000_000_000L, "F16", null, "llama")).parameterCount());
        assertEquals(1_000_000_000L, infer(listed("mystery-model", 2_000_000_000L, "BF16", null, "llama")).parameterCount());
        assertEquals(4_000_000_000L, infer(listed("mystery-model", 2_250_000_000L, "4bit", null, "llama")).parameterCount());
        // A quantization with no number in its name counts as LM Studio's usual Q4.
        assertEquals(8_000_000_000L, infer(listed("mystery-model", 4_500_000_000L, "gguf", null, "llama")).parameterCount());
        assertEquals(8_000_000_000L, infer(listed("mystery-model", 4_500_000_000L, null, null, "llama")).parameterCount());
    }

    @Test
    void parameterCountWrittenInTheKeyIsRead() {
        Map<String, Long> expected = Map.of(
                "llama-3-70b", 70_000_000_000L,
                "qwen2.5-7b-instruct", 7_000_000_000L,
                "deepseek-r1-distill-qwen-1.5b", 1_500_000_000L,
                "mixtral-8x7b-instruct", 56_000_000_000L,
                "smollm2-135m", 135_000_000L,
                "qwen3-30b-a3b", 30_000_000_000L,
                "qwen/qwen3-8b", 8_000_000_000L,
                "Meta-Llama-3.1-8B-Instruct-Q4_K_M", 8_000_000_000L,
                "gemma-3n-e4b", 0L,
                "phi-3-mini", 0L);
        expected.forEach((key, count) -> assertEquals(count, infer(nameOnly(key)).parameterCount(), key));
    }

    @Test
    void listedParamsStringWinsOverKeyAndSize() {
        assertEquals(8_000_000_000L, infer(listed("llama-3-70b", 1_000_000_000L, "Q4_K_M", "8B", "llama")).parameterCount());
    }

    @Test
    void listedParameterCountWinsOverKeyAndSize() {
        assertEquals(6_738_415_616L, infer(withMeta("llama-2-13b.gguf", 1_000_000_000L, 4096, 6_738_415_616L)).parameterCount());
    }

    @Test
    void inferredParametersContextAndMemoryComeFromLlamaCppMeta() {
        ModelCapabilities c = infer(withMeta("tiny.gguf", 3_825_065_984L, 4096, 6_738_415_616L));

        assertEquals(6_738_415_616L, c.parameterCount());
        assertEquals(4096, c.maxContextLength());
        assertEquals(4.3, c.memoryRequirementGB()); // 3.825e9 bytes = 3.56 GiB, times 1.2
        assertEquals(4.3, c.minMemoryGB());
        assertEquals(568, c.estimatedLatencyFor(GENERAL)); // 400 + 25 * 6.74
        assertEquals("unknown", c.quantization()); // llama.cpp's meta does not name it
        assertEquals(70, c.performanceFor(GENERAL)); // under 10B
    }

    @Test
    void aTrainedContextFromMetaIsKeptEvenBeyondLmStudiosDefault() {
        assertEquals(131072, infer(withMeta("long.gguf", 0, 131072, 0)).maxContextLength());
    }

    @Test
    void memoryIsTheFileSizeWithTwentyPercentOverhead() {
        ModelCapabilities qwen = infer(listed("qwen2.5-7b-instruct", 4_683_000_000L, "Q4_K_M", "7B", "qwen2"));

        assertEquals(5.2, qwen.memoryRequirementGB()); // 4.683e9 bytes = 4.36 GiB, times 1.2
        assertEquals(5.2, qwen.minMemoryGB());
    }

    @Test
    void memoryComesFromParametersAndBitsWithoutAFileSize() {
        // 8e9 weights * 8.5 bits / 8 = 7.9 GiB, times 1.2
        assertEquals(9.5, infer(named("llama-3.1-8b-instruct", "Q8_0")).memoryRequirementGB());
        // 8e9 * 16 / 8 = 14.9 GiB, times 1.2
        assertEquals(17.9, infer(named("llama-3.1-8b-instruct", "F16")).memoryRequirementGB());
    }

    @Test
    void nothingKnownGivesZerosAndLmStudiosDefaultContext() {
        ModelCapabilities c = infer(nameOnly("mystery"));

        assertEquals(new ModelCapabilities("mystery", "lmstudio", 0, "unknown", 0, 4096,
                        EnumSet.of(GENERAL),
                        Map.of(GENERAL, 65, CODING, 50, ANALYSIS, 50, RESEARCH, 50, CREATIVE, 50),
                        0, false,
                        Map.of(),
                        true),
                c);
        assertEquals(ModelCapabilities.DEFAULT_LATENCY_MS, c.estimatedLatencyFor(GENERAL));
    }

    @Test
    void latencyGrowsWithSizeLikeTheSeedsEntries() {
        assertEquals(495, infer(listed("phi-3-mini", 0, "Q4_K_M", "3.8B", "phi3")).estimatedLatencyFor(GENERAL));
        assertEquals(1250, infer(named("deepseek-coder-34b", "Q4_K_M")).estimatedLatencyFor(CODING));
        assertEquals(2150, infer(named("llama-3-70b", "Q4_K_M")).estimatedLatencyFor(RESEARCH));
    }

    @Test
    void latencyIsGivenOnlyForSupportedTasks() {
        ModelCapabilities c = infer(named("qwen2.5-coder-1.5b", "Q4_K_M"));

        assertEquals(Map.of(GENERAL, 438, CODING, 438, ANALYSIS, 438), c.estimatedLatencyMs());
    }

    @Test
    void gpuIsPreferredFromSevenBillionParametersOrFourGigabytes() {
        assertTrue(infer(named("model-7b", null)).preferredGpu());
        assertFalse(infer(named("model-6.9b", null)).preferredGpu());
        assertTrue(infer(listed("phi-3-mini", 7_600_000_000L, "F16", "3.8B", "phi3")).preferredGpu());
        assertFalse(infer(listed("phi-3-mini", 3_999_999_999L, "Q8_0", "3.8B", "phi3")).preferredGpu());
    }

    @Test
    void keepsTheListedQuantizationAndContextLength() {
        ModelCapabilities c = infer(listed("qwen2.5-7b-instruct", 8_100_000_000L, "Q8_0", "7B", "qwen2"));

        assertEquals("Q8_0", c.quantization());
        assertEquals(32768, c.maxContextLength());
    }

    @Test
    void aUserEntryKeepsWhatItGivesAndTakesTheRestFromTheListedModel() {
        ModelCapabilities written = new ModelCapabilities("qwen2.5-*", "lmstudio", 7_000_000_000L, "unknown", 0, 0,
                EnumSet.of(CODING), Map.of(CODING, 88), 0, false, Map.of(), false);
        DiscoveredModel qwen = listed("qwen2.5-7b-instruct", 4_683_000_000L, "Q4_K_M", "7B", "qwen2");

        ModelCapabilities filled = CapabilityInference.fillUnknown(written, qwen);

        assertEquals("qwen2.5-7b-instruct", filled.modelName());
        assertEquals(EnumSet.of(CODING), filled.supportedTasks()); // given: kept
        assertEquals(Map.of(CODING, 88), filled.performanceScores()); // given: kept
        assertEquals(7_000_000_000L, filled.parameterCount());
        assertEquals("Q4_K_M", filled.quantization()); // unknown: from the listing
        assertEquals(5.2, filled.minMemoryGB()); // unknown: from the size
        assertEquals(5.2, filled.memoryRequirementGB());
        assertEquals(infer(qwen).maxContextLength(), filled.maxContextLength());
        assertFalse(filled.inferred());
        assertTrue(CapabilityInference.hasUnknowns(written));
        assertFalse(CapabilityInference.hasUnknowns(filled));
    }
}
