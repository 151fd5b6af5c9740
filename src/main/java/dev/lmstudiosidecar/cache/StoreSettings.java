package dev.lmstudiosidecar.cache;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@link InfinispanResponseStore} is opened with, as plain values (tests build it directly).
 *
 * @param dataDir         {@code sidecar.data-dir}; the persistent tier lives in {@code <dataDir>/cache}
 * @param memoryBytes     {@code sidecar.cache.memory-size}: the memory tier's bound
 * @param persistentBytes {@code lmstudio.cache-size}: the persistent tier's bound
 */
public record StoreSettings(Path dataDir, long memoryBytes, long persistentBytes) {

    static final long MIB = 1L << 20;
    static final long MIN_MEMORY = MIB;
    static final long MAX_MEMORY = 4L << 30;
    static final long MIN_PERSISTENT = MIB;
    static final long MAX_PERSISTENT = 1L << 40;

    /** @throws IllegalArgumentException naming the key out of bounds */
    public StoreSettings {
        Objects.requireNonNull(dataDir, "sidecar.data-dir");
        if (memoryBytes < MIN_MEMORY || memoryBytes > MAX_MEMORY) {
            throw new IllegalArgumentException("sidecar.cache.memory-size must be from 1MiB to 4GiB (given " + memoryBytes + " bytes)");
        }
        if (persistentBytes < MIN_PERSISTENT || persistentBytes > MAX_PERSISTENT) {
            throw new IllegalArgumentException("lmstudio.cache-size must be from 1MiB to 1TiB (given " + persistentBytes + " bytes)");
        }
    }

    /** Where the persistent tier keeps its files. */
    public Path cacheDir() {
        return dataDir.resolve("cache");
    }
}
