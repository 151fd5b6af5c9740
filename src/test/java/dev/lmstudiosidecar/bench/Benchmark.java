package dev.lmstudiosidecar.bench;

import dev.lmstudiosidecar.bench.LoadGenerator.Call;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures what the sidecar costs: every scenario runs against the LM Studio emulator directly and
 * through the sidecar in the same run, alternating, so each figure is a side-by-side comparison
 * that holds on a noisy shared machine. Run it with {@code bench/run}; the report goes to
 * {@code target/bench/report.md}.
 */
public final class Benchmark {

    private static final String CHAT_BODY = "{\"model\":\"qwen2.5-7b-instruct\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";
    private static final String STREAM_BODY = "{\"model\":\"qwen2.5-7b-instruct\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Tell a story\"}]}";
    private static final String EMBED_BODY = "{\"model\":\"text-embedding-nomic-embed-text-v1.5\",\"input\":[\"the quick brown fox\",\"jumps over the lazy dog\"]}";

    private static final Call CHAT = new Call("chat", "/chat/completions", CHAT_BODY, false);
    private static final Call STREAM = new Call("stream", "/chat/completions", STREAM_BODY, true);
    private static final Call EMBED = new Call("embeddings", "/embeddings", EMBED_BODY, false);
    /** Routed: the sidecar classifies it and picks a model (the same one CHAT names, on the emulator's defaults). */
    private static final Call AUTO = new Call("routed chat", "/chat/completions",
            "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}", false);
    /** Deterministic (temperature 0): after the first, the sidecar answers it from its cache. */
    private static final Call CACHED = new Call("cached chat", "/chat/completions",
            "{\"model\":\"qwen2.5-7b-instruct\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}", false);

    private final BenchOptions options;
    private final LmStudioEmulator emulator;
    private final SidecarProcess sidecar;
    private final ProcessSampler sampler;
    private final LoadGenerator load;

    private Benchmark(BenchOptions options, LmStudioEmulator emulator, SidecarProcess sidecar, LoadGenerator load) {
        this.options = options;
        this.emulator = emulator;
        this.sidecar = sidecar;
        this.sampler = new ProcessSampler(sidecar.pid());
        this.load = load;
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parse(args);
        Files.createDirectories(options.reportDir());
        try (LmStudioEmulator emulator = LmStudioEmulator.start(0, 1);
             LoadGenerator load = new LoadGenerator();
             SidecarProcess sidecar = SidecarProcess.start(options.sidecarJar(), options.sidecarJvmOptions(), options.sidecarCpus(),
                     emulator.baseUrl(), options.reportDir().resolve("sidecar.log"))) {
            Benchmark benchmark = new Benchmark(options, emulator, sidecar, load);
            try {
                benchmark.runAll();
            } finally {
                benchmark.sampler.close();
            }
        }
        System.exit(0); // the emulator's and the generator's event loops are closed; nothing else should linger
    }

    private void runAll() throws Exception {
        long startRssKb = sampler.rssKb();
        emulator.tokensPerResponse(options.chatTokens());
        emulator.tokenDelay(Duration.ZERO);
        List<Comparison> comparisons = new ArrayList<>();
        log("warming up for " + options.warmup().toSeconds() + " s on each target");
        // The emulator and the load generator first: the cold scenario measures a cold sidecar, nothing else.
        load.fixedRate(emulator.baseUrl(), CHAT, 500, options.warmup());
        Comparison cold = options.runs("cold") ? coldStart() : null;
        if (cold != null) {
            comparisons.add(cold);
        }
        load.fixedRate(sidecar.baseUrl(), CHAT, 500, options.warmup());

        Comparison lowRate20 = null;
        for (int rate : options.runs("lowrate") ? options.lowRates() : List.<Integer>of()) {
            Comparison c = compareOneConnection("Non-streaming chat at " + rate + " req/s on one connection",
                    options.chatTokens() + " tokens per answer, no delay per token; one kept-alive connection, as one app sends",
                    rate, CHAT);
            comparisons.add(c);
            if (rate == 20) {
                lowRate20 = c;
            }
        }
        for (int rate : options.runs("auto") ? options.lowRates() : List.<Integer>of()) {
            comparisons.add(compareOneConnection("Routed chat (model \"auto\") at " + rate + " req/s on one connection",
                    "the sidecar classifies the request and picks the model that direct is asked for by name; "
                            + options.chatTokens() + " tokens per answer, one kept-alive connection", rate, AUTO));
        }
        Comparison chatAt500 = null;
        for (int rate : options.runs("chat") ? options.chatRates() : List.<Integer>of()) {
            Comparison c = compare("Non-streaming chat at " + rate + " req/s",
                    options.chatTokens() + " tokens per answer, no delay per token", CHAT, rate, false);
            comparisons.add(c);
            if (rate == 500) {
                chatAt500 = c;
            }
        }

        Comparison streaming = null;
        if (options.runs("stream")) {
            emulator.tokensPerResponse(options.streamTokens());
            emulator.tokenDelay(options.streamTokenDelay());
            streaming = compare("Streaming chat at " + options.streamRate() + " streams/s",
                    options.streamTokens() + " tokens per stream, " + options.streamTokenDelay().toMillis() + " ms before each token",
                    STREAM, options.streamRate(), false);
            comparisons.add(streaming);
        }
        if (options.runs("embeddings")) {
            emulator.tokenDelay(Duration.ZERO);
            comparisons.add(compare("Embeddings at " + options.embeddingRate() + " req/s", "two inputs per request",
                    EMBED, options.embeddingRate(), false));
        }
        Comparison concurrent = null;
        if (options.runs("concurrent")) {
            emulator.tokensPerResponse(options.longStreamTokens());
            emulator.tokenDelay(options.longStreamTokenDelay());
            concurrent = compare(options.concurrentStreams() + " concurrent long streams",
                    options.concurrentStreams() + " streams started at once, " + options.longStreamTokens() + " tokens each, "
                            + options.longStreamTokenDelay().toMillis() + " ms before each token",
                    STREAM, options.concurrentStreams(), true);
            comparisons.add(concurrent);
        }

        if (options.runs("cachehit")) {
            emulator.tokensPerResponse(options.chatTokens());
            emulator.tokenDelay(Duration.ZERO);
            // "Added" is negative when a hit is faster than LM Studio answering, even at no delay per token.
            comparisons.add(compare("Cache hits: deterministic chat at 500 req/s",
                    "temperature 0, the same request each time: the sidecar answers from its cache after the first; "
                            + options.chatTokens() + " tokens per answer, no delay per token, direct",
                    CACHED, 500, false));
        }

        HostScaling twoHosts = null;
        if (options.runs("twohost")) {
            log("Throughput at saturation: one LM Studio host against two");
            twoHosts = new TwoHostBench(options, load, CHAT).run();
        }

        String header = header(startRssKb);
        String report = new ReportWriter().render(header, comparisons, twoHosts,
                new ReportWriter.Targets(chatAt500, streaming, concurrent, lowRate20, cold))
                + (options.runs("classify") ? ClassifierBench.run() : "");
        Path file = options.reportDir().resolve("report.md");
        Files.writeString(file, report);
        System.out.println(report);
        log("report written to " + file);
    }

    /**
     * Runs one scenario on both targets, alternating direct and sidecar for the configured rounds.
     *
     * @param burst true: {@code rate} requests all at once; false: {@code rate} per second for the phase
     */
    private Comparison compare(String scenario, String describeLoad, Call call, int rate, boolean burst) throws InterruptedException {
        log(scenario);
        PhaseResult direct = new PhaseResult();
        PhaseResult viaSidecar = new PhaseResult();
        double cpu = 0;
        long peakRss = 0;
        int rounds = burst ? 1 : options.rounds();
        for (int round = 0; round < rounds; round++) {
            direct.add(phase(emulator.baseUrl(), call, rate, burst));
            sampler.resetPeak();
            double cpuBefore = sampler.cpuSeconds();
            viaSidecar.add(phase(sidecar.baseUrl(), call, rate, burst));
            cpu += sampler.cpuSeconds() - cpuBefore;
            peakRss = Math.max(peakRss, sampler.peakRssKb());
        }
        return new Comparison(scenario, describeLoad, direct, viaSidecar, cpu, peakRss);
    }

    /** Low rates on one connection, direct and sidecar alternating: where a sidecar that is rarely hot is slowest. */
    private Comparison compareOneConnection(String scenario, String describeLoad, int rate, Call viaSidecarCall) throws InterruptedException {
        log(scenario);
        PhaseResult direct = new PhaseResult();
        PhaseResult viaSidecar = new PhaseResult();
        double cpu = 0;
        long peakRss = 0;
        int perRound = (int) Math.max(1, options.lowRatePhase().toSeconds() * rate / Math.max(1, options.rounds()));
        for (int round = 0; round < options.rounds(); round++) {
            direct.add(load.oneConnection(emulator.baseUrl(), CHAT, rate, perRound));
            sampler.resetPeak();
            double cpuBefore = sampler.cpuSeconds();
            viaSidecar.add(load.oneConnection(sidecar.baseUrl(), viaSidecarCall, rate, perRound));
            cpu += sampler.cpuSeconds() - cpuBefore;
            peakRss = Math.max(peakRss, sampler.peakRssKb());
        }
        return new Comparison(scenario, describeLoad, direct, viaSidecar, cpu, peakRss);
    }

    /**
     * The first requests of a sidecar that has just started, as a pod sees them after a (re)start: a
     * fresh process with the same flags, ready (as Kubernetes waits for), then {@code cold-requests} at {@code cold-rate} on one
     * connection; direct gets the same (the emulator is warm either way).
     */
    private Comparison coldStart() throws Exception {
        String scenario = "First " + options.coldRequests() + " requests after start at " + options.coldRate() + " req/s on one connection";
        log(scenario);
        PhaseResult direct = load.oneConnection(emulator.baseUrl(), CHAT, options.coldRate(), options.coldRequests());
        try (SidecarProcess fresh = SidecarProcess.start(options.sidecarJar(), options.sidecarJvmOptions(), options.sidecarCpus(),
                emulator.baseUrl(), options.reportDir().resolve("sidecar-cold.log"));
             ProcessSampler freshSampler = new ProcessSampler(fresh.pid())) {
            double cpuAtReady = freshSampler.cpuSeconds();
            long rssAtReadyKb = freshSampler.rssKb();
            freshSampler.resetPeak();
            PhaseResult viaSidecar = load.oneConnection(fresh.baseUrl(), CHAT, options.coldRate(), options.coldRequests());
            double cpu = freshSampler.cpuSeconds() - cpuAtReady;
            return new Comparison(scenario, String.format(Locale.ROOT,
                    "a fresh sidecar, ready %d ms after its process started (%.2f CPU s, RSS %.1f MiB by then); %d tokens per answer",
                    fresh.readyAfterMillis(), cpuAtReady, rssAtReadyKb / 1024.0, options.chatTokens()),
                    direct, viaSidecar, cpu, freshSampler.peakRssKb());
        }
    }

    private PhaseResult phase(String baseUrl, Call call, int rate, boolean burst) throws InterruptedException {
        return burst ? load.burst(baseUrl, call, rate) : load.fixedRate(baseUrl, call, rate, options.phasePerRound());
    }

    private String header(long startRssKb) throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(line -> line.startsWith("model name")).findFirst()
                .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse("unknown CPU");
        return String.format(Locale.ROOT, """
                # lmstudio-sidecar benchmark

                Measured %s on %d cores (%s), Java %s. The emulator and the load generator share \
                the machine with the sidecar. Latencies count from each request's scheduled start \
                (open loop). Direct and sidecar phases alternate (%d rounds of %d s each per scenario).

                Sidecar: `%s`
                Sidecar RSS after start-up: %.1f MiB; lifetime peak at the end: %.1f MiB; CPU used in all: %.1f s.
                """,
                ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                Runtime.getRuntime().availableProcessors(), cpu, System.getProperty("java.version"),
                options.rounds(), options.phasePerRound().toSeconds(),
                sidecar.commandLine().replace(System.getProperty("java.home"), "$JAVA_HOME"),
                startRssKb / 1024.0, sampler.lifetimePeakRssKb() / 1024.0, sampler.cpuSeconds());
    }

    private static void log(String line) {
        System.err.println("[bench] " + line);
    }
}
