package dev.lmstudiosidecar.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

    /**
     * How deep a request body's JSON may nest (objects and arrays); deeper: 400 {@code json_too_deep}. A chat
     * request with tools nests about a dozen levels; the bound keeps a hostile body from costing deep recursion.
     * At most 1000, the bound of the JSON reader the response cache uses.
     */
    @WithDefault("64")
    int maxJsonDepth();

    /** A request body not received whole within this is refused with 408: a client that trickles cannot hold a request open. */
    @WithDefault("30s")
    Duration requestBodyTimeout();

    /**
     * A client that takes none of its answer for this long (its socket stays full) is cut: the upstream request is
     * reset and its slot freed. Without it a client that connects and never reads would hold a slot for as long as it stays.
     */
    @WithDefault("30s")
    Duration clientWriteTimeout();

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

    /** The response cache's tiers (the persistent tier's bound is {@code lmstudio.cache-size}, its directory {@code <data-dir>/cache}). */
    Cache cache();

    interface Cache {
        /**
         * What the memory tier's entries may weigh in all (1 MiB to 4 GiB); past it the least recently used go.
         * It lives on the heap: keep it well under {@code -Xmx} (a quarter of deploy/jvm.options' 64 MiB by default).
         */
        @WithDefault("16MiB")
        @WithConverter(ByteSizeConverter.class)
        ByteSize memorySize();

        /** Answers that took at least this long to generate are worth keeping on disk too; quicker ones stay in memory only. */
        @WithDefault("500ms")
        Duration persistMinGeneration();
    }

    /** How a request for {@code model: "auto"} is classified (README "Task routing"). */
    Routing routing();

    interface Routing {
        /**
         * Per task ({@code coding}, {@code research}, {@code creative}, {@code analysis}), the whole words that count
         * towards it, e.g. {@code sidecar.routing.keywords.coding=code,function,bug}; a task not set keeps the seed's.
         */
        Map<String, List<String>> keywords();

        /** What a match in the last user message counts: the question being asked now weighs most. */
        @WithDefault("1.0")
        double lastUserWeight();

        /** What a match elsewhere counts: the system prompt, earlier turns, the assistant's answers. */
        @WithDefault("0.5")
        double contextWeight();

        /** What one code block or stack trace adds to {@code coding}, as that many matches. */
        @WithDefault("2.0")
        double codeWeight();

        /** Below this confidence ({@code min(score * 0.2, 1)}), the request is {@code general}. */
        @WithDefault("0.2")
        double minConfidence();

        /** Of a long message only this many characters from its start and as many from its end are read. */
        @WithDefault("4096")
        int scanChars();
    }

    /** Between SIGTERM and the exit (README "Graceful shutdown"). */
    Shutdown shutdown();

    interface Shutdown {
        /** From SIGTERM, readiness is DOWN but requests are still served this long; then new ones get a 503. */
        @WithDefault("3s")
        Duration drainDelay();

        /**
         * From SIGTERM, requests in flight may finish this long (the drain delay included); then streams end with an
         * SSE error event. Below Kubernetes' terminationGracePeriodSeconds (30 s by default), with room for the rest.
         */
        @WithDefault("20s")
        Duration gracePeriod();
    }

    /** What {@code /q/health/ready} requires before the pod takes traffic. */
    Readiness readiness();

    interface Readiness {
        /**
         * {@code models}: LM Studio reachable and every required model loaded; {@code reachable}:
         * LM Studio lists its models; {@code always}: ready whatever the backends' state.
         */
        @WithDefault("models")
        String mode();

        /** The models that must be loaded; unset: {@code lmstudio.keep-models-warm}, else any chat model. */
        Optional<List<String>> requiredModels();

        /** With {@code lmstudio.enable-cloud-fallback} on, a healthy cloud provider keeps the pod ready while LM Studio is not. */
        @WithDefault("true")
        boolean cloudCounts();
    }

    /** What {@code /q/health/live} watches: the sidecar alone, never LM Studio. */
    Liveness liveness();

    interface Liveness {
        /** An event loop blocked longer than this makes the sidecar not live: it must be restarted. */
        @WithDefault("10s")
        Duration maxEventLoopBlock();
    }

    /** What {@code /q/health/started} waits for. */
    Startup startup();

    interface Startup {
        /** Started at the latest this long after start, even when the first check or a kept-warm load has not finished. */
        @WithDefault("5m")
        Duration maxWait();

        /**
         * {@code GET /v1/models} the sidecar sends itself through its proxy before it counts as started, so that
         * the first real requests do not pay for loading the request path (0: none; at most 10000).
         */
        @WithDefault("200")
        int warmUpRequests();

        /** How long the warm-up's requests may take in all, from the first (at most 5 min): it stops there, whatever the count. */
        @WithDefault("3s")
        Duration warmUpTimeout();
    }
}
