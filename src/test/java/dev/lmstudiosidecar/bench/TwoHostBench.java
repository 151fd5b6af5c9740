package dev.lmstudiosidecar.bench;

import dev.lmstudiosidecar.bench.LoadGenerator.Call;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Throughput at saturation with two LM Studio hosts against one ({@code --scenarios twohost}): a sidecar with
 * {@code lmstudio.base-url} and a sidecar with {@code lmstudio.hosts.a} and {@code .b}, phases alternating, under
 * the same closed-loop load. Each emulated host has a GPU's limited capacity: a generation takes a fixed time
 * (timers, no CPU) and the sidecar runs only so many at once on it; without that, two emulators on this machine
 * would be no faster than one. Requests beyond the slots wait in the sidecar's queue, so the phase measures
 * placement, not refusals.
 */
final class TwoHostBench {

    private static final String GENERATIONS = "/v1/chat/completions";

    private final BenchOptions options;
    private final LoadGenerator load;
    private final Call call;

    TwoHostBench(BenchOptions options, LoadGenerator load, Call call) {
        this.options = options;
        this.load = load;
        this.call = call;
    }

    HostScaling run() throws Exception {
        try (LmStudioEmulator a = emulatedHost();
             LmStudioEmulator b = emulatedHost();
             SidecarProcess oneHost = sidecar(oneHostSettings(a), "onehost");
             SidecarProcess twoHosts = sidecar(twoHostSettings(a, b), "twohosts");
             ProcessSampler oneHostSampler = new ProcessSampler(oneHost.pid());
             ProcessSampler twoHostsSampler = new ProcessSampler(twoHosts.pid())) {
            load.closedLoop(oneHost.baseUrl(), call, options.twoHostClients(), options.warmup());
            load.closedLoop(twoHosts.baseUrl(), call, options.twoHostClients(), options.warmup());
            PhaseResult one = new PhaseResult();
            PhaseResult two = new PhaseResult();
            long oneOnA = 0;
            long twoOnA = 0;
            long twoOnB = 0;
            double oneCpu = 0;
            double twoCpu = 0;
            for (int round = 0; round < options.rounds(); round++) {
                int aBefore = a.requestCount(GENERATIONS);
                double cpuBefore = oneHostSampler.cpuSeconds();
                one.add(load.closedLoop(oneHost.baseUrl(), call, options.twoHostClients(), options.phasePerRound()));
                oneCpu += oneHostSampler.cpuSeconds() - cpuBefore;
                oneOnA += a.requestCount(GENERATIONS) - aBefore;

                aBefore = a.requestCount(GENERATIONS);
                int bBefore = b.requestCount(GENERATIONS);
                cpuBefore = twoHostsSampler.cpuSeconds();
                two.add(load.closedLoop(twoHosts.baseUrl(), call, options.twoHostClients(), options.phasePerRound()));
                twoCpu += twoHostsSampler.cpuSeconds() - cpuBefore;
                twoOnA += a.requestCount(GENERATIONS) - aBefore;
                twoOnB += b.requestCount(GENERATIONS) - bBefore;
            }
            return new HostScaling("Throughput at saturation: one LM Studio host against two", describeLoad(),
                    one, two, oneOnA, twoOnA, twoOnB, options.twoHostSlots(), a.maxConcurrentGenerations(), b.maxConcurrentGenerations(), oneCpu, twoCpu);
        }
    }

    private LmStudioEmulator emulatedHost() {
        LmStudioEmulator host = LmStudioEmulator.start(0, 1);
        host.tokensPerResponse(options.twoHostTokens());
        host.tokenDelay(options.twoHostTokenDelay());
        return host;
    }

    private Map<String, String> oneHostSettings(LmStudioEmulator a) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("lmstudio.base-url", a.baseUrl());
        settings.put("lmstudio.max-concurrent-requests", String.valueOf(options.twoHostSlots()));
        queue(settings);
        return settings;
    }

    private Map<String, String> twoHostSettings(LmStudioEmulator a, LmStudioEmulator b) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("lmstudio.hosts.a.base-url", a.baseUrl());
        settings.put("lmstudio.hosts.a.max-concurrent-requests", String.valueOf(options.twoHostSlots()));
        settings.put("lmstudio.hosts.b.base-url", b.baseUrl());
        settings.put("lmstudio.hosts.b.max-concurrent-requests", String.valueOf(options.twoHostSlots()));
        queue(settings);
        return settings;
    }

    /** Every client's request waits for a slot rather than fails, however long the phase. */
    private void queue(Map<String, String> settings) {
        Duration wait = options.phasePerRound().plus(options.warmup()).plusSeconds(30);
        settings.put("lmstudio.max-queued-requests", String.valueOf(Math.max(100, options.twoHostClients())));
        settings.put("lmstudio.max-queue-wait", wait.toSeconds() + "s");
    }

    /** With a data directory of its own: the main sidecar holds the lock on the default one's persistent cache. */
    private SidecarProcess sidecar(Map<String, String> settings, String name) throws Exception {
        Map<String, String> withData = new LinkedHashMap<>(settings);
        withData.put("sidecar.data-dir", options.reportDir().resolve("data-" + name).toString());
        Path log = options.reportDir().resolve("sidecar-" + name + ".log");
        return SidecarProcess.start(options.sidecarJar(), options.sidecarJvmOptions(), options.sidecarCpus(), withData, log);
    }

    private String describeLoad() {
        long generationMillis = options.twoHostTokens() * options.twoHostTokenDelay().toMillis();
        double perHost = generationMillis == 0 ? Double.POSITIVE_INFINITY : options.twoHostSlots() * 1000.0 / generationMillis;
        return String.format(Locale.ROOT,
                "%d clients sending non-streaming chats back to back (closed loop) for %d s per configuration, one-host and "
                        + "two-host phases alternating (rounds: %d); each emulated host takes %d tokens × %d ms = %d ms per answer "
                        + "and the sidecar runs at most %d at once on it (`max-concurrent-requests`), so a host serves at most "
                        + "%.0f req/s; the rest wait in the sidecar's queue. Latency counts from each request's send.",
                options.twoHostClients(), options.phase().toSeconds(), options.rounds(), options.twoHostTokens(),
                options.twoHostTokenDelay().toMillis(), generationMillis, options.twoHostSlots(), perHost);
    }
}
