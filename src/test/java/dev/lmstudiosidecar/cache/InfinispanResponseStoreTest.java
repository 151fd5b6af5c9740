package dev.lmstudiosidecar.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.Eventually;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InfinispanResponseStoreTest {

    private static final long MIB = 1L << 20;
    private static final Duration HOUR = Duration.ofHours(1);

    @TempDir
    Path dir;

    private InfinispanResponseStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void putThenGetReturnsAnEqualAnswerAndAMissIsEmpty() {
        store = open(dir, 4 * MIB, 64 * MIB);
        CachedAnswer answer = new CachedAnswer("qwen3", CachedAnswer.Kind.PLAIN, "{\"id\":\"a\"}".getBytes(StandardCharsets.UTF_8),
                1_700_000_000_000L, 812);

        await(store.put("k", answer, HOUR, false));

        assertSame(answer, await(store.get("k")).orElseThrow());
        assertTrue(await(store.get("other")).isEmpty());
    }

    @Test
    void anEntryIsGoneOnceItsTtlHasPassed() {
        store = open(dir, 4 * MIB, 64 * MIB);
        await(store.put("short", answer("m", 1, 100), Duration.ofMillis(200), true));
        assertTrue(await(store.get("short")).isPresent());

        Eventually.await("the entry expires", Duration.ofSeconds(3), () -> await(store.get("short")).isEmpty());
    }

    @Test
    void aFloodStaysWithinTheMemoryBoundOnTheHeap() {
        long bound = 4 * MIB;
        store = open(dir, bound, 64 * MIB);
        long baseline = usedHeapAfterGc();

        for (int i = 0; i < 200; i++) {
            await(store.put("flood-" + i, answer("m", i, 256 * 1024), HOUR, false));
        }

        assertTrue(store.stats().memoryBytes() <= bound, "memory bytes " + store.stats().memoryBytes());
        assertTrue(store.memoryBytesByInfinispan() <= bound + 64 * 1024, "by Infinispan " + store.memoryBytesByInfinispan());
        for (int i = 190; i < 200; i++) {
            assertTrue(await(store.get("flood-" + i)).isPresent(), "recent entry " + i + " is kept");
        }
        assertTrue(await(store.get("flood-0")).isEmpty(), "the first entry is gone");
        assertTrue(store.stats().evictions() > 0);
        // 200 x 256 KiB is 50 MiB: well past the bound plus the margin if nothing were evicted.
        long grown = usedHeapAfterGc() - baseline;
        assertTrue(grown < bound + 24 * MIB, "the heap grew by " + grown / MIB + " MiB");
    }

    @Test
    void aPersistedEntrySurvivesARestartAndComesFromDisk() {
        store = open(dir, 4 * MIB, 64 * MIB);
        CachedAnswer answer = answer("llama", 7, 5000);
        await(store.put("kept", answer, HOUR, true));
        await(store.put("memory-only", answer("llama", 8, 10), HOUR, false));
        store.close();

        store = open(dir, 4 * MIB, 64 * MIB);
        assertEquals(0, store.stats().memoryEntries(), "a new store's memory tier starts empty");
        Eventually.await("the account counts the persisted entry", Duration.ofSeconds(5),
                () -> store.stats().persistentEntries() == 1);

        assertSame(answer, await(store.get("kept")).orElseThrow());
        assertEquals(1, store.stats().memoryEntries(), "a persistent hit is copied into the memory tier");
        assertTrue(await(store.get("memory-only")).isEmpty());
    }

    @Test
    void thePersistentBoundEvictsTheOldestFirst() {
        store = open(dir, MIB, MIB);
        for (int i = 0; i < 20; i++) {
            await(store.put("p-" + i, answer("m", i, 100 * 1024), HOUR, true));
        }

        InfinispanResponseStore.StoreStats stats = store.stats();
        assertTrue(stats.persistentBytes() <= MIB, "persistent bytes " + stats.persistentBytes());
        assertTrue(stats.persistentEntries() >= 8 && stats.persistentEntries() < 20, "persistent entries " + stats.persistentEntries());
        assertTrue(stats.evictions() > 0);
        Eventually.await("the oldest are removed from disk", Duration.ofSeconds(5), () -> await(store.get("p-0")).isEmpty());
        store.close();

        // What is on disk after a restart (a new store's memory tier is empty): the newest, not the oldest.
        store = open(dir, MIB, MIB);
        Eventually.await("the oldest are gone from disk", Duration.ofSeconds(5), () -> await(store.get("p-0")).isEmpty()
                && await(store.get("p-1")).isEmpty());
        assertTrue(await(store.get("p-19")).isPresent());
        assertTrue(await(store.get("p-18")).isPresent());
        Eventually.await("the account is rebuilt within the bound", Duration.ofSeconds(5),
                () -> store.stats().persistentEntries() > 0 && store.stats().persistentBytes() <= MIB);
    }

    @Test
    void garbageWhereTheStoreKeepsItsFilesLeavesItInMemoryWithAWarning() throws IOException {
        Path tier = dir.resolve("cache").resolve(Tiers.CACHE_NAME);
        Files.createDirectories(tier);
        Files.write(tier.resolve("data"), garbage(10_000)); // a file where the store wants a directory
        Files.write(tier.resolve("index"), garbage(10_000));

        store = open(dir, 4 * MIB, 64 * MIB);

        assertFalse(store.stats().persistentAvailable());
        assertTrue(store.persistentProblem().orElseThrow().contains(dir.resolve("cache").toString()),
                store.persistentProblem().orElseThrow());
        CachedAnswer answer = answer("m", 1, 100);
        await(store.put("k", answer, HOUR, true));
        assertSame(answer, await(store.get("k")).orElseThrow());
    }

    @Test
    void garbageInTheStoresFilesIsNeverServed() throws IOException {
        store = open(dir, MIB, 64 * MIB);
        for (int i = 0; i < 5; i++) {
            await(store.put("g-" + i, answer("m", i, 1000), HOUR, true));
        }
        store.close();
        store = null;
        // Every file the store wrote, data and index, overwritten with garbage of the same length.
        try (Stream<Path> files = Files.walk(dir.resolve("cache"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.write(file, garbage((int) Math.max(64, Files.size(file))));
            }
        }

        store = open(dir, MIB, 64 * MIB);

        for (int i = 0; i < 5; i++) {
            Optional<CachedAnswer> found = await(store.get("g-" + i));
            found.ifPresent(answer -> assertEquals(1000, answer.body().length)); // decoded whole, or a miss
        }
        CachedAnswer answer = answer("m", 9, 100);
        await(store.put("after", answer, HOUR, true));
        assertSame(answer, await(store.get("after")).orElseThrow());
    }

    /**
     * What a kill can leave: the index never written (it is written behind the data, and on a clean stop), the
     * last entry's bytes cut short (a write the process did not finish) or, same length, zeros where its tail
     * should be (pages the machine did not flush). The store opens and serves; each entry is either the one
     * written or a miss, the torn one always a miss; one warning at most; and once the start-up scan is done
     * its account holds exactly what can still be read (the cache was kept, or cleanly dropped).
     */
    @ParameterizedTest(name = "the last entry {0}")
    @ValueSource(strings = {"cut short", "zeroed at its tail"})
    void aKillThatTearsTheLastEntryLeavesTheCacheIntactOrCleanlyDroppedAndNeverServesTheTornOne(String damage) throws IOException {
        store = open(dir, MIB, 64 * MIB);
        CachedAnswer[] written = new CachedAnswer[6];
        for (int i = 0; i < written.length; i++) {
            written[i] = answer("m", i + 1, 4000);
            await(store.put("t-" + i, written[i], HOUR, true));
        }
        store.close();
        store = null;
        Path tier = dir.resolve("cache").resolve(Tiers.CACHE_NAME);
        try (Stream<Path> index = Files.walk(tier.resolve("index"))) {
            for (Path file : index.filter(Files::isRegularFile).toList()) {
                Files.delete(file);
            }
        }
        Path data = lastDataFile(tier.resolve("data"));
        byte[] bytes = Files.readAllBytes(data);
        int torn = 2000; // inside the last entry's 4000-byte body
        if (damage.equals("cut short")) {
            Files.write(data, Arrays.copyOf(bytes, bytes.length - torn));
        } else {
            Arrays.fill(bytes, bytes.length - torn, bytes.length, (byte) 0);
            Files.write(data, bytes);
        }

        store = open(dir, MIB, 64 * MIB);

        assertTrue(store.stats().persistentAvailable(), store.persistentProblem().orElse(""));
        assertTrue(await(store.get("t-" + (written.length - 1))).isEmpty(), "the torn entry is a miss");
        Eventually.await("the start-up scan kept the tier or dropped it", Duration.ofSeconds(10),
                () -> store.stats().persistentEntries() == written.length - 1 || store.warned(InfinispanResponseStore.DAMAGED_TIER));
        assertEquals(store.warned(InfinispanResponseStore.DAMAGED_TIER) ? 0 : written.length - 1, store.stats().persistentEntries());
        for (int i = 0; i < written.length - 1; i++) {
            // Kept, or dropped (a copy a read made in memory before the drop may still answer): whole either way.
            CachedAnswer expected = written[i];
            await(store.get("t-" + i)).ifPresent(found -> assertSame(expected, found));
        }
        assertTrue(store.failureKindsLogged() <= 1, "one warning at most, not one per failed read or scan");
        CachedAnswer after = answer("m", 9, 100);
        await(store.put("after", after, HOUR, true));
        assertSame(after, await(store.get("after")).orElseThrow());
    }

    /** The data file the store appended to last (the highest-numbered). */
    private static Path lastDataFile(Path data) throws IOException {
        try (Stream<Path> files = Files.list(data)) {
            return files.filter(Files::isRegularFile).max(java.util.Comparator.comparingInt(path -> {
                String name = path.getFileName().toString(); // ispn<version>.<number>
                return Integer.parseInt(name.substring(name.lastIndexOf('.') + 1));
            })).orElseThrow();
        }
    }

    @Test
    void anUnwritableDataDirectoryLeavesOnlyTheMemoryTier() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");

        store = open(file.resolve("data"), 4 * MIB, 64 * MIB);

        assertFalse(store.stats().persistentAvailable());
        assertTrue(store.persistentProblem().orElseThrow().contains(file.toString()), store.persistentProblem().orElseThrow());
        CachedAnswer answer = answer("m", 1, 100);
        await(store.put("k", answer, HOUR, true));
        assertSame(answer, await(store.get("k")).orElseThrow());
        assertEquals(1L, await(store.remove(null)));
    }

    @Test
    void removeByModelRemovesOnlyThatModelsEntriesAndNullRemovesAll() {
        store = open(dir, 4 * MIB, 64 * MIB);
        await(store.put("a1", answer("a", 1, 10), HOUR, true));
        await(store.put("a2", answer("a", 2, 10), HOUR, false));
        await(store.put("b1", answer("b", 3, 10), HOUR, true));
        await(store.put("c1", answer("c", 4, 10), HOUR, false));

        assertEquals(2L, await(store.remove("a")));
        assertTrue(await(store.get("a1")).isEmpty());
        assertTrue(await(store.get("a2")).isEmpty());
        assertTrue(await(store.get("b1")).isPresent());
        assertEquals(1, store.stats().persistentEntries());

        assertEquals(2L, await(store.remove(null)));
        assertTrue(await(store.get("b1")).isEmpty());
        assertTrue(await(store.get("c1")).isEmpty());
        assertEquals(0, store.stats().persistentEntries());
    }

    @Test
    void outOfBoundsSettingsNameTheirKey() {
        IllegalArgumentException memory = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new StoreSettings(dir, 1024, 64 * MIB));
        assertTrue(memory.getMessage().startsWith("sidecar.cache.memory-size"), memory.getMessage());
        IllegalArgumentException persistent = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new StoreSettings(dir, 4 * MIB, 2L << 40));
        assertTrue(persistent.getMessage().startsWith("lmstudio.cache-size"), persistent.getMessage());
    }

    private static InfinispanResponseStore open(Path dataDir, long memoryBytes, long persistentBytes) {
        return InfinispanResponseStore.open(new StoreSettings(dataDir, memoryBytes, persistentBytes));
    }

    /** An answer whose body is {@code size} bytes telling {@code seed} apart. */
    private static CachedAnswer answer(String model, int seed, int size) {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) seed);
        return new CachedAnswer(model, CachedAnswer.Kind.STREAM, body, System.currentTimeMillis(), 600);
    }

    private static void assertSame(CachedAnswer expected, CachedAnswer actual) {
        assertEquals(expected.model(), actual.model());
        assertEquals(expected.kind(), actual.kind());
        assertArrayEquals(expected.body(), actual.body());
        assertEquals(expected.createdEpochMillis(), actual.createdEpochMillis());
        assertEquals(expected.generationMillis(), actual.generationMillis());
    }

    private static byte[] garbage(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the stage did not complete: " + e, e);
        }
    }
}
