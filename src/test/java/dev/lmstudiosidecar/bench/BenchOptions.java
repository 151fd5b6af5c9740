package dev.lmstudiosidecar.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one benchmark run does; every figure has a flag so a run can be made shorter or heavier.
 *
 * @param phase        how long each measured phase lasts, per target (split over the rounds)
 * @param rounds       direct and sidecar alternate this many times per scenario, so drift on a
 *                     shared machine hits both sides alike
 * @param twoHostSlots the sidecar's slots on each emulated host in {@code twohost}: with the generation time
 *                     ({@code twoHostTokens} times {@code twoHostTokenDelay}) it sets what one host can serve,
 *                     as a GPU's capacity does
 */
record BenchOptions(
        Path sidecarJar,
        Path reportDir,
        List<String> sidecarJvmOptions,
        Duration warmup,
        Duration phase,
        int rounds,
        List<Integer> chatRates,
        int chatTokens,
        int streamRate,
        int streamTokens,
        Duration streamTokenDelay,
        int embeddingRate,
        int concurrentStreams,
        int longStreamTokens,
        Duration longStreamTokenDelay,
        Set<String> scenarios,
        String sidecarCpus,
        List<Integer> lowRates,
        Duration lowRatePhase,
        int coldRequests,
        int coldRate,
        int twoHostClients,
        int twoHostSlots,
        int twoHostTokens,
        Duration twoHostTokenDelay) {

    /** The JVM flags file of the README's run command, relative to the project (bench/run's working directory). */
    static final String RUN_OPTIONS = "deploy/jvm.options";

    /** What a run without {@code --scenarios} measures. */
    static final Set<String> DEFAULT_SCENARIOS = Set.of("cold", "lowrate", "chat", "stream", "embeddings", "concurrent", "cachehit", "auto",
            "classify");
    /**
     * Run only when {@code --scenarios} names them: {@code twohost} measures the fleet's placement, not what the
     * sidecar adds to a request, and starts two sidecars and two emulators of its own.
     */
    static final Set<String> OPT_IN_SCENARIOS = Set.of("twohost");

    static BenchOptions parse(String[] args) {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        Path report = Path.of("target/bench");
        List<String> jvm = List.of("@" + RUN_OPTIONS); // what the README's run command uses
        Duration warmup = Duration.ofSeconds(10);
        Duration phase = Duration.ofSeconds(10);
        int rounds = 2;
        List<Integer> rates = List.of(200, 500, 1000);
        int chatTokens = 16;
        int streamRate = 50;
        int streamTokens = 50;
        Duration streamDelay = Duration.ofMillis(2);
        int embeddingRate = 500;
        int concurrent = 100;
        int longTokens = 200;
        Duration longDelay = Duration.ofMillis(20);
        Set<String> scenarios = DEFAULT_SCENARIOS;
        String sidecarCpus = null;
        List<Integer> lowRates = List.of(5, 20);
        Duration lowRatePhase = Duration.ofSeconds(40);
        int coldRequests = 100;
        int coldRate = 5;
        // 10 tokens 10 ms apart: 100 ms a request, 2 at once: about 20 req/s per host, all of it timers, no CPU.
        int twoHostClients = 8;
        int twoHostSlots = 2;
        int twoHostTokens = 10;
        Duration twoHostTokenDelay = Duration.ofMillis(10);
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--jar" -> jar = Path.of(value);
                case "--report-dir" -> report = Path.of(value);
                case "--sidecar-jvm" -> jvm = Arrays.asList(value.trim().split("\\s+"));
                case "--warmup-s" -> warmup = Duration.ofSeconds(Integer.parseInt(value));
                case "--phase-s" -> phase = Duration.ofSeconds(Integer.parseInt(value));
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--chat-rates" -> rates = Arrays.stream(value.split(",")).map(String::trim).map(Integer::valueOf).toList();
                case "--chat-tokens" -> chatTokens = Integer.parseInt(value);
                case "--stream-rate" -> streamRate = Integer.parseInt(value);
                case "--stream-tokens" -> streamTokens = Integer.parseInt(value);
                case "--stream-token-delay-ms" -> streamDelay = Duration.ofMillis(Long.parseLong(value));
                case "--embedding-rate" -> embeddingRate = Integer.parseInt(value);
                case "--concurrent-streams" -> concurrent = Integer.parseInt(value);
                case "--long-stream-tokens" -> longTokens = Integer.parseInt(value);
                case "--long-stream-token-delay-ms" -> longDelay = Duration.ofMillis(Long.parseLong(value));
                case "--scenarios" -> scenarios = scenarios(value);
                case "--sidecar-cpus" -> sidecarCpus = value;
                case "--low-rates" -> lowRates = Arrays.stream(value.split(",")).map(String::trim).map(Integer::valueOf).toList();
                case "--low-rate-phase-s" -> lowRatePhase = Duration.ofSeconds(Integer.parseInt(value));
                case "--cold-requests" -> coldRequests = Integer.parseInt(value);
                case "--cold-rate" -> coldRate = Integer.parseInt(value);
                case "--twohost-clients" -> twoHostClients = Integer.parseInt(value);
                case "--twohost-slots" -> twoHostSlots = Integer.parseInt(value);
                case "--twohost-tokens" -> twoHostTokens = Integer.parseInt(value);
                case "--twohost-token-delay-ms" -> twoHostTokenDelay = Duration.ofMillis(Long.parseLong(value));
                case "--quick" -> {
                    warmup = Duration.ofSeconds(2);
                    phase = Duration.ofSeconds(2);
                    rounds = 1;
                    rates = List.of(200);
                    concurrent = 20;
                    longTokens = 20;
                    lowRates = List.of(20);
                    lowRatePhase = Duration.ofSeconds(4);
                    coldRequests = 10;
                    i--; // a flag without a value
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; see bench/README in the main README");
            }
            i++;
        }
        return new BenchOptions(jar, report, jvm, warmup, phase, rounds, rates, chatTokens, streamRate, streamTokens,
                streamDelay, embeddingRate, concurrent, longTokens, longDelay, scenarios, sidecarCpus, lowRates, lowRatePhase,
                coldRequests, coldRate, twoHostClients, twoHostSlots, twoHostTokens, twoHostTokenDelay);
    }

    /** A misspelt scenario would otherwise measure nothing, silently. */
    private static Set<String> scenarios(String list) {
        Set<String> scenarios = Set.of(list.split(","));
        for (String scenario : scenarios) {
            if (!DEFAULT_SCENARIOS.contains(scenario) && !OPT_IN_SCENARIOS.contains(scenario)) {
                throw new IllegalArgumentException("unknown scenario " + scenario + "; known: "
                        + new TreeSet<>(DEFAULT_SCENARIOS) + " and, only when named, " + new TreeSet<>(OPT_IN_SCENARIOS));
            }
        }
        return scenarios;
    }

    boolean runs(String scenario) {
        return scenarios.contains(scenario);
    }

    Duration phasePerRound() {
        return phase.dividedBy(Math.max(1, rounds));
    }
}
