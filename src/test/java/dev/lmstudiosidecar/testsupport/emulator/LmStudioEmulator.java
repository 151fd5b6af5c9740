package dev.lmstudiosidecar.testsupport.emulator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 (or another loopback address, see {@link #start(String, int, int)}) that behaves like LM Studio (0.4, 0.3) or a generic OpenAI-compatible
 * server, with knobs for the faults the sidecar must survive. Integration tests point the sidecar at
 * {@link #baseUrl()}; a benchmark runs {@link #main(String[])} as a separate process.
 *
 * <p>Knobs and observations are thread-safe and meant to be called from test threads while the server
 * runs on its own Vert.x event loops. Methods that wait ({@link #reset()}, {@link #refuseConnections},
 * {@link #close()}) must not be called from an event loop.
 */
public final class LmStudioEmulator implements AutoCloseable {

    /** Which server is emulated; decides which endpoints exist. */
    public enum Shape {
        /** greeting, /v1/*, /api/v0/models, /api/v1/models, /api/v1/models/load|unload */
        LMSTUDIO_0_4,
        /** greeting, /v1/*, /api/v0/models */
        LMSTUDIO_0_3,
        /** only /v1/*, unknown routes 404 (vLLM and the like) */
        GENERIC_OPENAI,
        /**
         * llama.cpp's llama-server: only /v1/*, unknown routes 404 "File Not Found", any model name
         * accepted, /v1/models with llama.cpp's {@code meta}.
         */
        LLAMA_CPP
    }

    /**
     * How error bodies look: the OpenAI object (newer LM Studio, 404 for a missing model), a bare string
     * (older, 400), or llama.cpp's object whose {@code code} is the HTTP status as a number (always used
     * by the {@link Shape#LLAMA_CPP} shape).
     */
    public enum ErrorStyle { OBJECT, STRING, LLAMA_CPP }

    /** When the {@link Shape#LLAMA_CPP} shape closes a connection whose streamed answer advertised keep-alive. */
    public enum LlamaClose {
        /** Right after the stream, as llama-server does: a pooled client reusing it quickly now and then loses the race. */
        AFTER_STREAM,
        /** When the next request arrives on it, unanswered: every reuse of it finds it stale. */
        ON_NEXT_REQUEST
    }

    private static final long WAIT_SECONDS = 10;

    private final Vertx vertx;
    private final String bindHost;
    private final int serverCount;
    private final Knobs knobs = new Knobs();
    private final Faults faults = new Faults();
    private final ModelCatalog catalog = new ModelCatalog();
    private final RequestLog log = new RequestLog();
    private final Generations generations = new Generations();
    private final LlamaServerConnections llamaConnections;
    private final EmulatorRouter router;

    private final Object lifecycle = new Object();
    private final List<HttpServer> servers = new ArrayList<>(); // guarded by lifecycle
    private final AtomicInteger openConnections = new AtomicInteger();
    private volatile int port;
    private boolean refusing; // guarded by lifecycle
    private boolean closed; // guarded by lifecycle

    private LmStudioEmulator(String bindHost, int serverCount) {
        this.bindHost = bindHost;
        this.serverCount = serverCount;
        // Its own Vert.x, so it never competes with (or depends on) the Quarkus one under test;
        // no file cache, since it serves no files.
        this.vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(serverCount)
                .setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1)
                .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
        ModelAdminHandler admin = new ModelAdminHandler(vertx, knobs, catalog);
        GenerationHandler generation = new GenerationHandler(vertx, knobs, faults, catalog, generations, admin);
        this.llamaConnections = new LlamaServerConnections(vertx);
        this.router = new EmulatorRouter(vertx, knobs, faults, catalog, log, admin, generation, llamaConnections);
        catalog.resetToDefaults();
    }

    /** On a random free port, one event loop: what tests need. */
    public static LmStudioEmulator start() {
        return start(0, 1);
    }

    /**
     * @param port       0 for a random free port
     * @param eventLoops server instances sharing the port, one event loop each (more for benchmarks)
     */
    public static LmStudioEmulator start(int port, int eventLoops) {
        return start("127.0.0.1", port, eventLoops);
    }

    /**
     * On {@code bindHost}: several emulators can then share one port on different loopback addresses
     * ({@code 127.0.0.2}, {@code 127.0.0.3}: on Linux all of 127.0.0.0/8 is loopback), as LM Studio hosts
     * behind one DNS name do. Start the first on port 0 and the others on its {@link #port()}.
     *
     * @param bindHost an address of this machine, an IP literal
     */
    public static LmStudioEmulator start(String bindHost, int port, int eventLoops) {
        LmStudioEmulator emulator = new LmStudioEmulator(bindHost, Math.max(1, eventLoops));
        try {
            synchronized (emulator.lifecycle) {
                emulator.listen(port);
            }
        } catch (RuntimeException e) {
            emulator.vertx.close();
            throw e;
        }
        return emulator;
    }

    public int port() {
        return port;
    }

    public String rootUrl() {
        return "http://" + (bindHost.indexOf(':') >= 0 ? "[" + bindHost + "]" : bindHost) + ":" + port;
    }

    public String baseUrl() {
        return rootUrl() + "/v1";
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            generations.terminateAll();
            stopListening();
            await(vertx.close());
        }
    }

    /**
     * Back to a fresh LM Studio: default models and knobs, faults and counters cleared, listening again.
     * Generations still running (hung ones included) are cut, so nothing leaks into the next test.
     */
    public void reset() {
        faults.clear();
        generations.terminateAll();
        knobs.reset();
        llamaConnections.reset(LlamaServerConnections.DEFAULT_WORKERS);
        catalog.resetToDefaults();
        refuseConnections(false);
        generations.clearCounters();
        log.clear();
    }

    // ---- shape of the server

    public void shape(Shape s) {
        knobs.shape = s;
    }

    /** On: unloaded models are listed by /v1/models and loaded on first use. Off: they are an error. */
    public void jitLoading(boolean on) {
        knobs.jitLoading = on;
    }

    public void errorStyle(ErrorStyle s) {
        knobs.errorStyle = s;
    }

    /**
     * For the {@link Shape#LLAMA_CPP} shape: {@code workers} HTTP workers (llama-server's
     * {@code --threads-http}), each held by one connection until it closes. Closes the connections it tracks.
     */
    public void llamaHttpWorkers(int workers) {
        llamaConnections.reset(Math.max(1, workers));
    }

    /** For the {@link Shape#LLAMA_CPP} shape: when a connection is closed after a streamed answer. */
    public void llamaClose(LlamaClose timing) {
        llamaConnections.closeTiming(timing);
    }

    /** Requests the {@link Shape#LLAMA_CPP} shape met with a close because they came on a streamed answer's connection. */
    public int staleConnectionClosures() {
        return llamaConnections.staleClosures();
    }

    // ---- models

    /** Adds (or replaces) a downloaded model; {@code loaded} gives it one instance named by its key. */
    public void addModel(String key, String type, long sizeBytes, String paramsString, String quantization,
                         int maxContextLength, boolean loaded) {
        catalog.add(key, type, sizeBytes, paramsString, quantization, maxContextLength, loaded);
    }

    public void removeAllModels() {
        catalog.clear();
    }

    /** Unloads every instance of {@code key}, as LM Studio's JIT auto-evict does; in-flight generations go on. */
    public void evict(String key) {
        EmulatedModel model = catalog.find(key);
        if (model == null) {
            throw new IllegalArgumentException("no such model: " + key);
        }
        model.evict();
    }

    public Set<String> loadedModels() {
        return catalog.loadedKeys();
    }

    /** Loads started for {@code key}, explicit or JIT, counted when they start; 0 for an unknown key. */
    public int loadCount(String key) {
        EmulatedModel model = catalog.find(key);
        return model == null ? 0 : model.loadCount();
    }

    /** Instance ids of {@code key} currently loaded ("key", "key:2", ...); empty for an unknown key. */
    public List<String> loadedInstances(String key) {
        EmulatedModel model = catalog.find(key);
        return model == null ? List.of() : model.instances().stream().map(ModelInstance::id).toList();
    }

    public void loadDelay(Duration d) {
        knobs.loadDelayMs = Knobs.toTimerMillis(d);
    }

    /** Explicit loads (POST /api/v1/models/load) fail with a 500, as when the host lacks the memory. */
    public void refuseLoads(boolean refuse) {
        knobs.refuseLoads = refuse;
    }

    /** Model listings describe the models at arrival and answer this much later. */
    public void listingDelay(Duration d) {
        knobs.listingDelayMs = Knobs.toTimerMillis(d);
    }

    /**
     * Non-null: every model listing (/api/v1/models, /api/v0/models, /v1/models) answers 200 with
     * {@code {"error": message}}, as LM Studio answers some faults; null: listings as usual.
     */
    public void listingError(String message) {
        knobs.listingError = message;
    }

    /** The next {@code count} model listings get their connection closed, unanswered, as a stale kept-alive one would be. */
    public void dropNextListings(int count) {
        faults.dropNextListings(count);
    }

    /** An unload takes this long: the instance goes, and the answer comes, at its end. */
    public void unloadDelay(Duration d) {
        knobs.unloadDelayMs = Knobs.toTimerMillis(d);
    }

    // ---- generation

    /** Tokens per chat/completion answer (capped per request by max_tokens, then finish_reason "length"). */
    public void tokensPerResponse(int n) {
        knobs.tokensPerResponse = Math.max(0, n);
    }

    /** Delay before each streamed token; a non-streamed answer waits n times this. Millisecond resolution. */
    public void tokenDelay(Duration d) {
        knobs.tokenDelayMs = Knobs.toTimerMillis(d);
    }

    // ---- faults

    /** The next {@code count} generation requests answer {@code status} with an error body in the current style. */
    public void failNext(int count, int status) {
        faults.failNext(count, status);
    }

    /** The next {@code count} generation requests are read and never answered, until the client leaves or reset()/close(). */
    public void hangNext(int count) {
        faults.hangNext(count);
    }

    /**
     * The next streaming request sends {@code chunks} SSE data events (the chat role chunk counts as one)
     * after its headers, then the connection is closed without a terminating chunk or [DONE].
     */
    public void dropStreamAfter(int chunks) {
        faults.dropStreamAfter(Math.max(0, chunks));
    }

    /**
     * The next generation request starts its answer and goes silent with the connection open: a
     * stream after {@code chunks} SSE data events, a plain answer after half of its body.
     */
    public void stallAfter(int chunks) {
        faults.stallAfter(Math.max(0, chunks));
    }

    /** The next {@code count} generation requests get their connection closed as they arrive: not a byte of an answer. */
    public void resetNextOnArrival(int count) {
        faults.resetNextOnArrival(count);
    }

    /** The next {@code count} generation requests answer 429 with {@code Retry-After: 1}, as a busy server does. */
    public void rateLimitNext(int count) {
        faults.rateLimitNext(count);
    }

    /**
     * The next generation's answer is cut: a plain one after half its body (its {@code Content-Length} promised
     * all of it), a stream after half its events (past its first token); the connection closes.
     */
    public void resetMidBody() {
        faults.answerFault(Faults.PlainFault.RESET_MID_BODY);
    }

    /**
     * The next generation's answer is a well-framed HTTP 200 whose JSON stops mid-object: a plain one is half its
     * body with a matching {@code Content-Length}; a stream ends cleanly half-way through an event, without [DONE].
     */
    public void truncateJsonNext() {
        faults.answerFault(Faults.PlainFault.TRUNCATED_JSON);
    }

    /**
     * The next generation's model is evicted while it generates, and the generation breaks off: a plain answer's
     * connection closes unanswered, a stream's after half its events. The model stays unloaded (JIT loads it again).
     */
    public void evictMidGeneration() {
        faults.answerFault(Faults.PlainFault.EVICT_MID_GENERATION);
    }

    /** The next generation request answers 200 with {@code {"error": message}}, as LM Studio answers some faults. */
    public void errorBodyNext(String message) {
        faults.errorBodyNext(message);
    }

    /**
     * The next generation's answer is at least {@code bytes} long, and still a correct one: a chat or completion of
     * that many bytes of tokens (streamed or not), an embeddings answer with a padding field clients ignore.
     */
    public void oversizeNext(int bytes) {
        faults.oversizeNext(bytes);
    }

    /**
     * True: stop listening (new connections are refused; running generations are cut). False: listen again
     * on the same port. Blocks until done.
     */
    public void refuseConnections(boolean refuse) {
        synchronized (lifecycle) {
            if (closed || refuse == refusing) {
                return;
            }
            if (refuse) {
                generations.terminateAll();
                stopListening();
            } else {
                listen(port);
            }
            refusing = refuse;
        }
    }

    // ---- observations

    /** Requests received for {@code path} (no query string), any method, since start or reset. */
    public int requestCount(String path) {
        return log.count(path);
    }

    /** The last {@value RequestLog#CAPACITY} requests at most, oldest first. */
    public List<RecordedRequest> requests() {
        return log.snapshot();
    }

    /** The most recent request to {@code path} (no query string), or null. */
    public RecordedRequest lastRequest(String path) {
        return log.last(path);
    }

    /** Generation requests in progress: from arrival (JIT-load waits and hangs included) to their end. */
    public int activeGenerations() {
        return generations.active();
    }

    public int maxConcurrentGenerations() {
        return generations.maxConcurrent();
    }

    /** Generations answered in full (a 200 with the whole answer). Errors count in no counter. */
    public int completedGenerations() {
        return generations.completed();
    }

    /** Generations ended because the client closed or reset the connection before the answer was complete. */
    public int abortedGenerations() {
        return generations.aborted();
    }

    /** Connections the emulator cut as a fault: {@link #dropStreamAfter(int)}, {@link #resetNextOnArrival}, {@link #resetMidBody()}, {@link #evictMidGeneration()}. */
    public int droppedStreams() {
        return generations.dropped();
    }

    /** TCP connections open to the emulator now, idle kept-alive ones included. */
    public int openConnections() {
        return openConnections.get();
    }

    // ---- listening

    private void listen(int requestedPort) {
        // Vert.x shares one socket among servers listening on the same port number as requested;
        // a negative number asks for a random port shared that way (port 0 would give each its own).
        int p = requestedPort == 0 && serverCount > 1 ? -1 : requestedPort;
        for (int i = 0; i < serverCount; i++) {
            HttpServer server = vertx.createHttpServer(new HttpServerOptions()
                            .setHost(bindHost)
                            .setPort(p)
                            .setReuseAddress(true) // re-listen on the same port right after refuseConnections(true)
                            .setHttp2ClearTextEnabled(false)) // LM Studio speaks HTTP/1.1 only
                    .connectionHandler(connection -> {
                        openConnections.incrementAndGet();
                        connection.closeHandler(closed -> openConnections.decrementAndGet());
                    })
                    .requestHandler(router);
            await(server.listen());
            servers.add(server);
            port = server.actualPort();
        }
    }

    private void stopListening() {
        for (HttpServer server : servers) {
            await(server.close());
        }
        servers.clear();
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("emulator server operation failed", e);
        }
    }

    /**
     * Standalone for benchmarks: {@code --port N} (0 = random), {@code --tokens N}, {@code --token-delay-ms N},
     * {@code --event-loops N} (default: min(4, cores)), {@code --load-delay-ms N}. Prints
     * {@code LMSTUDIO_EMULATOR_PORT=<port>} once listening, then runs until killed.
     */
    public static void main(String[] args) throws InterruptedException {
        int port = 0;
        int tokens = 5;
        long tokenDelayMs = 0;
        long loadDelayMs = 0;
        int eventLoops = Math.min(4, Runtime.getRuntime().availableProcessors());
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(value);
                case "--tokens" -> tokens = Integer.parseInt(value);
                case "--token-delay-ms" -> tokenDelayMs = Long.parseLong(value);
                case "--load-delay-ms" -> loadDelayMs = Long.parseLong(value);
                case "--event-loops" -> eventLoops = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
            i++;
        }
        LmStudioEmulator emulator = start(port, eventLoops);
        emulator.tokensPerResponse(tokens);
        emulator.tokenDelay(Duration.ofMillis(tokenDelayMs));
        emulator.loadDelay(Duration.ofMillis(loadDelayMs));
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "emulator-shutdown"));
        System.out.println("LMSTUDIO_EMULATOR_PORT=" + emulator.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
