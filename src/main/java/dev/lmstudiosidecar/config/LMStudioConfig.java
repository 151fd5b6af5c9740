package dev.lmstudiosidecar.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The seed's {@code LMStudioConfig}, in kebab-case under {@code lmstudio.*} (env {@code LMSTUDIO_*}).
 * Durations accept {@code 500ms}, {@code 30s} or {@code PT30S}; a bare number is seconds.
 */
@ConfigMapping(prefix = "lmstudio")
public interface LMStudioConfig {

    /** LM Studio's OpenAI base URL. {@code LMSTUDIO_URL} is read too, as in the seed. */
    @WithDefault("${LMSTUDIO_URL:http://localhost:1234/v1}")
    String baseUrl();

    /**
     * Sent as {@code Authorization: Bearer} on the sidecar's own calls to LM Studio (listings, loads), for an
     * LM Studio with authentication on. Apps' requests carry their own {@code Authorization}.
     */
    Optional<String> apiKey();

    /**
     * Several LM Studio hosts behind this sidecar, by name ({@code lmstudio.hosts.gpu-a.base-url=...}). When any is set
     * (or {@link #hostsDns()}), {@link #baseUrl()} is not used; each host's unset values are the {@code lmstudio.*} ones.
     */
    Map<String, HostConfig> hosts();

    interface HostConfig {
        /** The host's OpenAI base URL, e.g. {@code http://gpu-a:1234/v1}: required. */
        Optional<String> baseUrl();

        /** As {@code lmstudio.api-key}, for this host. */
        Optional<String> apiKey();

        /** As {@code lmstudio.max-concurrent-requests}, for this host. */
        OptionalInt maxConcurrentRequests();

        /** As {@code lmstudio.memory-budget}, for this host. */
        @WithConverter(ByteSizeConverter.class)
        Optional<ByteSize> memoryBudget();

        /** Breaks ties between hosts equally busy: the heavier first. */
        @WithDefault("1")
        double weight();
    }

    /**
     * {@code <name>:<port>} of a Kubernetes headless Service whose every address is an LM Studio host, resolved at
     * each {@code health-check-interval}: hosts that come and go are found without a restart.
     */
    Optional<String> hostsDns();

    /** The DNS server {@link #hostsDns()} asks ({@code host:port}); unset: the first nameserver of /etc/resolv.conf. */
    Optional<String> hostsDnsServer();

    /**
     * A host that left (DNS no longer has it) takes no new request; its connections close once nothing placed on it is
     * left, at the latest after this, so that streams from it can end.
     */
    @WithDefault("10m")
    Duration hostDrainTimeout();

    /** On how many hosts each model of {@link #keepModelsWarm()} is kept loaded. */
    @WithDefault("1")
    int keepWarmReplicas();

    /** Bound on a request: no byte from LM Studio for this long fails it with 504. */
    @WithDefault("30s")
    Duration timeout();

    /** A stream whose next chunk takes longer than this ends with an SSE error event. */
    @WithDefault("30s")
    Duration streamIdleTimeout();

    /** Bound on opening a TCP connection to LM Studio. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** Idle keep-alive connections to LM Studio are closed after this; keep it below LM Studio's own (5s). */
    @WithDefault("4s")
    Duration poolIdleTimeout();

    /** Retries after a failed attempt (so up to 1 + this many attempts per model), before the first byte only. */
    @WithDefault("3")
    int retryAttempts();

    /** The first retry waits this long; each next one twice as long, with jitter, up to {@code retry-max-delay}. */
    @WithDefault("1s")
    Duration retryDelay();

    /** The longest wait between two attempts; a Retry-After beyond it ends the retries at once. */
    @WithDefault("10s")
    Duration retryMaxDelay();

    /** One circuit breaker per backend. */
    CircuitBreakerSettings circuitBreaker();

    interface CircuitBreakerSettings {
        /** The last N calls the health check's degraded ratio and an open breaker's error count over. */
        @WithDefault("20")
        int window();

        /**
         * The last N calls the breaker's failure ratio is computed over, none before N calls: SmallRye's
         * {@code requestVolumeThreshold}, whose window must be full before it may open. At most {@link #window()}.
         */
        @WithDefault("20")
        int minimumCalls();

        @WithDefault("0.5")
        double failureRatio();

        /** How long an open breaker fails fast before it lets a probe through. */
        @WithDefault("30s")
        Duration openDuration();

        @WithDefault("1")
        int halfOpenProbes();
    }

    /** A request for a model LM Studio has but not in memory waits for one shared load instead of racing JIT loads. */
    @WithDefault("true")
    boolean autoLoadModels();

    /** Models loaded at start and re-loaded within one {@code health-check-interval} when LM Studio evicts them. */
    Optional<List<String>> keepModelsWarm();

    /** Bound on one model load (a request waiting for it waits no longer); large models take minutes. */
    @WithDefault("5m")
    Duration loadTimeout();

    /** Bound on a model listing or an unload call to LM Studio's REST API. */
    @WithDefault("5s")
    Duration discoveryTimeout();

    /** Requests for a model the last listing did not have refresh it, but not more often than this. */
    @WithDefault("1s")
    Duration discoveryMinInterval();

    /**
     * Memory of the LM Studio host that models may use (e.g. {@code 24GiB}): what the loaded models hold
     * is subtracted from it to give {@code availableMemoryGB}. Unset: unknown, and no model is refused for memory.
     */
    @WithConverter(ByteSizeConverter.class)
    Optional<ByteSize> memoryBudget();

    /** Requests in flight to LM Studio at once, streams counted until they end; also sizes the connection pool. */
    @WithDefault("5")
    int maxConcurrentRequests();

    /** Requests that may wait when all slots are busy; beyond that 429. */
    @WithDefault("100")
    int maxQueuedRequests();

    /** How long a request may wait for a slot before it gets 429. */
    @WithDefault("30s")
    Duration maxQueueWait();

    /** The response cache on or off; {@code cache-mode} says what it keeps. */
    @WithDefault("true")
    boolean enableCaching();

    /** {@code deterministic}: answers meant to repeat (temperature 0, a seed, embeddings); {@code all}: every success; {@code off}. */
    @WithDefault("deterministic")
    String cacheMode();

    /** The persistent tier's bound: beyond it the oldest entries go first. */
    @WithDefault("1GB")
    @WithConverter(ByteSizeConverter.class)
    ByteSize cacheSize();

    /** How long an answer stays cached, unless a request's {@code X-Sidecar-Cache-TTL} says otherwise (never longer). */
    @WithDefault("3600s")
    Duration cacheTtl();

    @WithDefault("true")
    boolean collectMetrics();

    /** How often the models are listed: that listing is also the health check of LM Studio. */
    @WithDefault("30s")
    Duration healthCheckInterval();

    /** What the health checks look at besides the listing (they run every {@code health-check-interval}). */
    HealthCheck healthCheck();

    interface HealthCheck {
        /**
         * After the listing, at most once an interval, a one-token completion on {@code test-model}:
         * proof that LM Studio generates, not only lists. Off by default: it costs GPU time.
         */
        @WithDefault("false")
        boolean testCompletion();

        /** The model of the test completion; needed with {@code test-completion=true}. */
        Optional<String> testModel();

        /**
         * A reachable backend is degraded once this share of the calls in its circuit breaker's
         * window failed (counted from {@code circuit-breaker.minimum-calls} calls on), 0 < ratio <= 1.
         */
        @WithDefault("0.25")
        double degradedErrorRatio();

        /**
         * While a check finds nothing listening at LM Studio's address, it is listed again this often rather than every
         * {@code health-check-interval}: calls go through again within this long of its return (at most the interval).
         */
        @WithDefault("2s")
        Duration downInterval();
    }

    @WithDefault("false")
    boolean enableCloudFallback();

    /** A YAML file that adds to or overrides the built-in model capability catalog. */
    Optional<Path> capabilitiesFile();
}
