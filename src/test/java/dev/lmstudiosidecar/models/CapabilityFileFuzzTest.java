package dev.lmstudiosidecar.models;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Coverage-guided fuzzing of the user's capability file ({@link CapabilityFile#read}): any bytes in the file are
 * either read into entries or refused with one {@link CapabilityFileException} naming the file and a line; the
 * sidecar must never fail to start with another exception. Entries read have a name, no name twice (ignoring case),
 * scores within 0..100 and no negative figure, and they go into the catalog.
 *
 * <p>Seeds: {@code CapabilityFileFuzzTestInputs/readsOrRefusesWithALine/} (whole YAML files).
 */
class CapabilityFileFuzzTest {

    private static final CapabilityCatalog BUILT_IN = CapabilityCatalog.builtIn();
    private static final Path FILE = createFile();

    private static Path createFile() {
        try {
            Path file = Files.createTempFile("capabilities-fuzz", ".yaml");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "5s")
    void readsOrRefusesWithALine(FuzzedDataProvider data) throws IOException {
        Files.write(FILE, data.consumeRemainingAsBytes());
        List<ModelCapabilities> entries;
        try {
            entries = CapabilityFile.read(FILE, BUILT_IN);
        } catch (CapabilityFileException refused) {
            assertNotNull(refused.getMessage());
            assertTrue(refused.getMessage().contains(FILE.toString()), () -> "the message names the file: " + refused.getMessage());
            return;
        }
        assertNotNull(entries);
        assertTrue(entries.stream().map(e -> e.modelName().toLowerCase(Locale.ROOT)).collect(Collectors.toSet()).size() == entries.size(),
                "no model twice");
        for (ModelCapabilities entry : entries) {
            assertFalse(entry.modelName().isBlank(), "every entry has a name");
            entry.performanceScores().values().forEach(score ->
                    assertTrue(score >= 0 && score <= 100, () -> entry.modelName() + ": a score within 0..100, not " + score));
            assertTrue(entry.parameterCount() >= 0 && entry.memoryRequirementGB() >= 0 && entry.maxContextLength() >= 0,
                    () -> entry.modelName() + ": no negative figure: " + entry);
        }
        assertNotNull(BUILT_IN.withEntries(entries), "the entries go into the catalog");
    }
}
