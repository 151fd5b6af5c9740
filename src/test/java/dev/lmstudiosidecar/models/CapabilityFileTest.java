package dev.lmstudiosidecar.models;

import static dev.lmstudiosidecar.models.TaskType.ANALYSIS;
import static dev.lmstudiosidecar.models.TaskType.CODING;
import static dev.lmstudiosidecar.models.TaskType.GENERAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CapabilityFileTest {

    private static final String TASKS = "(expected coding, research, creative, analysis, general)";

    @TempDir
    Path dir;

    private final CapabilityCatalog builtIn = CapabilityCatalog.builtIn();

    private Path file;

    private Path write(String... lines) throws IOException {
        file = dir.resolve("caps.yaml");
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }

    private List<ModelCapabilities> read(String... lines) throws IOException {
        return CapabilityFile.read(write(lines), builtIn);
    }

    /** Reading fails with a one-line message naming the file and {@code line}, and containing {@code what}. */
    private CapabilityFileException failsAt(int line, String what, String... lines) throws IOException {
        Path written = write(lines);
        CapabilityFileException e = assertThrows(CapabilityFileException.class,
                () -> CapabilityFile.read(written, builtIn));
        String message = e.getMessage();
        assertTrue(message.startsWith(written + ":" + line + ": "), "wrong file or line: " + message);
        assertTrue(message.contains(what), message);
        assertTrue(message.endsWith(")"), "ends with what is accepted: " + message);
        assertFalse(message.contains("\n") || message.contains("\r"), "one line: " + message);
        assertEquals(OptionalInt.of(line), e.line());
        assertEquals(written, e.file());
        return e;
    }

    // --- what the file adds and changes -------------------------------------------------------

    @Test
    void overridingABuiltInChangesOnlyTheGivenFields() throws IOException {
        List<ModelCapabilities> entries = read(
                "models:",
                "  DeepSeek-Coder-34B:",
                "    supported_tasks: [coding, analysis]",
                "    max_context_length: 16384");

        ModelCapabilities seed = builtIn.find("deepseek-coder-34b").orElseThrow();
        ModelCapabilities expected = new ModelCapabilities(seed.modelName(), seed.provider(), seed.parameterCount(),
                seed.quantization(), seed.memoryRequirementGB(), 16384, Set.of(CODING, ANALYSIS),
                seed.performanceScores(), seed.minMemoryGB(), seed.preferredGpu(), seed.estimatedLatencyMs(),
                seed.inferred());
        assertEquals(List.of(expected), entries);
        assertEquals(expected, builtIn.withEntries(entries).find("deepseek-coder-34b").orElseThrow());
    }

    @Test
    void aGlobEntryIsFoundForAMatchingModelKey() throws IOException {
        List<ModelCapabilities> entries = read(
                "models:",
                "  \"qwen2.5-coder-*\":",
                "    parameter_count: 7B",
                "    quantization: Q4_K_M",
                "    memory_requirement_gb: 5.5",
                "    min_memory_gb: 5",
                "    max_context_length: 32768",
                "    supported_tasks: [coding, general]",
                "    performance_scores: {coding: 88, general: 72}",
                "    preferred_gpu: true",
                "    estimated_latency_ms: {coding: 700}",
                "    provider: lmstudio");

        ModelCapabilities found = builtIn.withEntries(entries).find("Qwen2.5-Coder-7B-Instruct").orElseThrow();
        assertEquals(new ModelCapabilities("qwen2.5-coder-*", "lmstudio", 7_000_000_000L, "Q4_K_M", 5.5, 32768,
                Set.of(CODING, GENERAL), Map.of(CODING, 88, GENERAL, 72), 5, true, Map.of(CODING, 700), false),
                found);
        assertTrue(found.isGlob());
    }

    @Test
    void aNewEntryStartsFromTheDefaults() throws IOException {
        List<ModelCapabilities> entries = read(
                "models:",
                "  my-model:",
                "    parameter_count: 7000000000");

        assertEquals(List.of(new ModelCapabilities("my-model", "lmstudio", 7_000_000_000L, "unknown", 0, 0,
                Set.of(GENERAL), Map.of(), 0, false, Map.of(), false)), entries);
        assertEquals(ModelCapabilities.DEFAULT_PERFORMANCE, entries.get(0).performanceFor(CODING));
        assertEquals(ModelCapabilities.DEFAULT_LATENCY_MS, entries.get(0).estimatedLatencyFor(CODING));
    }

    @Test
    void theSeedsCamelCaseFieldNamesAreAccepted() throws IOException {
        List<ModelCapabilities> entries = read(
                "models:",
                "  seed-style:",
                "    parameterCount: 3.8B",
                "    memoryRequirement: 3",
                "    minMemoryGB: 2.5",
                "    maxContextLength: 4096",
                "    supportedTasks: [general]",
                "    performanceScores: {general: 80}",
                "    preferredGPU: false",
                "    estimatedLatency: {general: 500}");

        assertEquals(List.of(new ModelCapabilities("seed-style", "lmstudio", 3_800_000_000L, "unknown", 3, 4096,
                Set.of(GENERAL), Map.of(GENERAL, 80), 2.5, false, Map.of(GENERAL, 500), false)), entries);
    }

    @Test
    void kebabCaseAndUnitSuffixedCamelCaseFieldNamesAreAccepted() throws IOException {
        List<ModelCapabilities> entries = read(
                "models:",
                "  kebab:",
                "    memory-requirement-gb: 4",
                "    estimated-latency-ms: {coding: 900}",
                "  camel:",
                "    memoryRequirementGB: 6",
                "    estimatedLatencyMs: {coding: 800}");

        assertEquals(4.0, entries.get(0).memoryRequirementGB());
        assertEquals(Map.of(CODING, 900), entries.get(0).estimatedLatencyMs());
        assertEquals(6.0, entries.get(1).memoryRequirementGB());
        assertEquals(Map.of(CODING, 800), entries.get(1).estimatedLatencyMs());
    }

    @Test
    void taskNamesIgnoreCase() throws IOException {
        ModelCapabilities entry = read(
                "models:",
                "  m:",
                "    supported_tasks: [Coding, GENERAL]",
                "    performance_scores: {Analysis: 60}").get(0);

        assertEquals(Set.of(CODING, GENERAL), entry.supportedTasks());
        assertEquals(Map.of(ANALYSIS, 60), entry.performanceScores());
    }

    @Test
    void entriesComeBackInFileOrder() throws IOException {
        List<ModelCapabilities> entries = read(
                "models:",
                "  b-*: {}",
                "  a-*: {}");

        assertEquals(List.of("b-*", "a-*"), entries.stream().map(ModelCapabilities::modelName).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "# only a comment\n\n# and another", "---", "models: {}", "models:\n#  phi-3-mini: {}"})
    void aFileWithoutEntriesGivesNoEntries(String text) throws IOException {
        assertEquals(List.of(), read(text));
    }

    // --- what the file may not say: every error names the file and the line --------------------

    @Test
    void aMissingFileIsNamedWithoutALine() {
        Path missing = dir.resolve("nope.yaml");
        CapabilityFileException e = assertThrows(CapabilityFileException.class,
                () -> CapabilityFile.read(missing, builtIn));

        assertEquals(missing + ": cannot read: no such file (expected a readable UTF-8 YAML file)", e.getMessage());
        assertEquals(OptionalInt.empty(), e.line());
    }

    @Test
    void aDirectoryCannotBeRead() {
        CapabilityFileException e = assertThrows(CapabilityFileException.class,
                () -> CapabilityFile.read(dir, builtIn));

        assertTrue(e.getMessage().startsWith(dir + ": cannot read: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aYamlSyntaxErrorNamesItsLine() throws IOException {
        failsAt(3, "not valid YAML",
                "models:",
                "  m:",
                "    quantization: Q4: K_M");
    }

    @Test
    void anUnclosedFlowListNamesWhereTheParserGaveUp() throws IOException {
        failsAt(4, "not valid YAML",
                "models:",
                "  m:",
                "    supported_tasks: [coding, general");
    }

    @Test
    void aControlCharacterIsRefusedAtItsLine() throws IOException {
        failsAt(4, "not valid YAML: character U+0001",
                "models:",
                "  m:\r",
                "    provider: lmstudio",
                "    quantization: Q4\u0001K_M");
    }

    @Test
    void aByteOrderMarkIsNoError() throws IOException {
        assertEquals(1, read("\uFEFFmodels:", "  m: {}").size());
    }

    @Test
    void bytesThatAreNotUtf8CannotBeRead() throws IOException {
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, new byte[] {'m', 'o', 'd', 'e', 'l', 's', ':', ' ', '#', ' ', (byte) 0xE9, '\n'});
        CapabilityFileException e = assertThrows(CapabilityFileException.class,
                () -> CapabilityFile.read(latin1, builtIn));

        assertEquals(latin1 + ": cannot read: not UTF-8 text (expected a readable UTF-8 YAML file)", e.getMessage());
    }

    @Test
    void aModelNamedTwiceIsRefusedEvenInAnotherCase() throws IOException {
        failsAt(4, "model 'PHI-3-mini' given twice, first at line 2",
                "models:",
                "  phi-3-mini:",
                "    quantization: Q8_0",
                "  PHI-3-mini:",
                "    quantization: Q4_0");
    }

    @Test
    void aFieldGivenTwiceIsRefusedEvenInAnotherSpelling() throws IOException {
        failsAt(4, "field parameter_count given twice",
                "models:",
                "  m:",
                "    parameter_count: 7B",
                "    parameterCount: 8B");
    }

    @Test
    void aTopLevelThatIsNotAMappingIsRefused() throws IOException {
        failsAt(2, "the top level is a list",
                "# a list, not a mapping",
                "- models");
    }

    @Test
    void aTopLevelWithoutModelsIsRefused() throws IOException {
        failsAt(2, "no models key at the top level",
                "# nothing in it",
                "{}");
    }

    @Test
    void anUnknownTopLevelKeyIsRefused() throws IOException {
        failsAt(2, "unknown top-level key 'model'",
                "",
                "model:",
                "  m: {}");
    }

    @Test
    void modelsThatIsNotAMappingIsRefused() throws IOException {
        failsAt(2, "models is a list",
                "models:",
                "  - phi-3-mini");
    }

    @Test
    void anEntryThatIsNotAMappingIsRefused() throws IOException {
        failsAt(3, "model 'm' is the text '7B'",
                "models:",
                "  phi-3-mini: {}",
                "  m: 7B");
    }

    @Test
    void aBlankModelNameIsRefused() throws IOException {
        failsAt(3, "blank model name",
                "models:",
                "  phi-3-mini: {}",
                "  \" \": {}");
    }

    @Test
    void anUnknownFieldIsRefusedWithTheAcceptedNames() throws IOException {
        CapabilityFileException e = failsAt(3, "unknown field 'params'",
                "models:",
                "  m:",
                "    params: 7B");

        assertTrue(e.getMessage().endsWith("(expected parameter_count, quantization, memory_requirement_gb,"
                + " min_memory_gb, max_context_length, supported_tasks, performance_scores, preferred_gpu,"
                + " estimated_latency_ms, provider)"), e.getMessage());
    }

    @Test
    void anUnknownTaskInSupportedTasksIsRefusedAtItsOwnLine() throws IOException {
        CapabilityFileException e = failsAt(6, "unknown task 'codng' in supported_tasks",
                "models:",
                "  m:",
                "    quantization: Q4_K_M",
                "    supported_tasks:",
                "      - general",
                "      - codng");

        assertEquals(file + ":6: unknown task 'codng' in supported_tasks " + TASKS, e.getMessage());
    }

    @Test
    void anUnknownTaskAsAScoreKeyIsRefused() throws IOException {
        failsAt(4, "unknown task 'codng' as a key of performance_scores",
                "models:",
                "  m:",
                "    performance_scores:",
                "      codng: 80");
    }

    @Test
    void anUnknownTaskAsALatencyKeyIsRefused() throws IOException {
        failsAt(3, "unknown task 'writing' as a key of estimated_latency_ms",
                "models:",
                "  m:",
                "    estimated_latency_ms: {writing: 800}");
    }

    @Test
    void aTaskScoredTwiceIsRefused() throws IOException {
        failsAt(5, "task coding given twice in performance_scores",
                "models:",
                "  m:",
                "    performance_scores:",
                "      coding: 80",
                "      Coding: 90");
    }

    @Test
    void aNumberWhereTextIsExpectedIsRefused() throws IOException {
        failsAt(3, "quantization is a list",
                "models:",
                "  m:",
                "    quantization: [Q4_K_M]");
    }

    @Test
    void textWhereANumberIsExpectedIsRefused() throws IOException {
        failsAt(4, "memory_requirement_gb is the text 'lots'",
                "models:",
                "  m:",
                "    min_memory_gb: 2",
                "    memory_requirement_gb: lots");
    }

    @Test
    void aFractionWhereAWholeNumberIsExpectedIsRefused() throws IOException {
        failsAt(3, "max_context_length is the number 4096.5",
                "models:",
                "  m:",
                "    max_context_length: 4096.5");
    }

    @Test
    void anEmptyValueIsRefused() throws IOException {
        failsAt(3, "min_memory_gb is empty",
                "models:",
                "  m:",
                "    min_memory_gb:",
                "    quantization: Q4_K_M");
    }

    @Test
    void aSingleTaskWhereAListIsExpectedIsRefused() throws IOException {
        failsAt(3, "supported_tasks is the text 'coding'",
                "models:",
                "  m:",
                "    supported_tasks: coding");
    }

    @Test
    void aNonBooleanPreferredGpuIsRefused() throws IOException {
        failsAt(3, "preferred_gpu is the number 1",
                "models:",
                "  m:",
                "    preferred_gpu: 1");
    }

    @Test
    void anUnreadableParameterCountIsRefused() throws IOException {
        failsAt(3, "parameter_count is the text 'seven billion'",
                "models:",
                "  m:",
                "    parameter_count: seven billion");
    }

    @Test
    void aNegativeParameterCountIsRefused() throws IOException {
        failsAt(3, "parameter_count -7000000000 is negative",
                "models:",
                "  m:",
                "    parameter_count: -7000000000");
    }

    @Test
    void aNegativeMemorySizeIsRefused() throws IOException {
        failsAt(4, "min_memory_gb -1 is negative",
                "models:",
                "  m:",
                "    memory_requirement_gb: 0",
                "    min_memory_gb: -1");
    }

    @Test
    void aScoreAboveOneHundredIsRefused() throws IOException {
        failsAt(3, "performance_scores for general 101 is out of range (expected a score from 0 to 100)",
                "models:",
                "  m:",
                "    performance_scores: {coding: 100, general: 101}");
    }

    @Test
    void aNegativeScoreIsRefused() throws IOException {
        failsAt(4, "performance_scores for coding -1 is negative",
                "models:",
                "  m:",
                "    performance_scores:",
                "      coding: -1");
    }

    @Test
    void aNegativeLatencyIsRefused() throws IOException {
        failsAt(3, "estimated_latency_ms for coding -5 is negative (expected milliseconds >= 0)",
                "models:",
                "  m:",
                "    estimated_latency_ms: {coding: -5}");
    }

    @Test
    void aContextLengthOfZeroIsRefused() throws IOException {
        failsAt(3, "max_context_length 0 is out of range (expected a number of tokens > 0)",
                "models:",
                "  m:",
                "    max_context_length: 0");
    }

    @Test
    void aContextLengthTooLargeForAnIntIsRefused() throws IOException {
        failsAt(3, "max_context_length 9999999999 is out of range",
                "models:",
                "  m:",
                "    max_context_length: 9999999999");
    }

    @Test
    void anAliasIsRefusedRatherThanReadAsItsAnchorsName() throws IOException {
        failsAt(5, "YAML alias *q",
                "models:",
                "  a:",
                "    quantization: &q Q4_K_M",
                "  b:",
                "    quantization: *q");
    }

    @Test
    void anUnquotedGlobStartingWithAStarIsRefusedWithAHintToQuoteIt() throws IOException {
        failsAt(3, "quote a model name or glob that starts with *",
                "models:",
                "  phi-3-mini: {}",
                "  *coder*: {}");
        failsAt(3, "quote a model name or glob that starts with *",
                "models:",
                "  phi-3-mini: {}",
                "  *coder: {}");
    }

    @Test
    void aSecondDocumentIsRefused() throws IOException {
        failsAt(3, "a second YAML document",
                "models: {}",
                "---",
                "models: {}");
    }

    @Test
    void aValueWithALineBreakStillGivesAOneLineMessage() throws IOException {
        CapabilityFileException e = failsAt(3, "unknown task 'cod\\ning' in supported_tasks",
                "models:",
                "  m:",
                "    supported_tasks: [\"cod\\ning\"]");

        assertEquals(1, e.getMessage().lines().count());
    }
}
