package dev.lmstudiosidecar.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Settings of the sidecar itself, under {@code sidecar.*}. */
@ConfigMapping(prefix = "sidecar")
public interface SidecarConfig {

    /** Where the persistent cache tier and other state live. */
    @WithDefault("data")
    Path dataDir();

    /** When set, {@code /admin/*} requires {@code Authorization: Bearer <token>}. */
    Optional<String> adminToken();

    /** Request bodies larger than this are refused with 413 before anything is sent upstream. */
    @WithDefault("8MiB")
    @WithConverter(ByteSizeConverter.class)
    ByteSize maxRequestBody();

    /** A request body not received whole within this is refused with 408: a client that trickles cannot hold a request open. */
    @WithDefault("30s")
    Duration requestBodyTimeout();

    /** All request bodies held at once; beyond it requests are shed with 429 rather than risk the heap. */
    @WithDefault("16MiB")
    @WithConverter(ByteSizeConverter.class)
    ByteSize maxBufferedRequestBytes();

    /** WARN lines a minute at most for the 5xx answers and cut streams the sidecar logs (0: none); the rest are counted. */
    @WithDefault("20")
    int errorLogLinesPerMinute();

    /** How far back {@code GET /admin/performance} looks; it slides in tenths of this. */
    @WithDefault("5m")
    Duration performanceWindow();
}
