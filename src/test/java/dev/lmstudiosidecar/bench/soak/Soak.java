package dev.lmstudiosidecar.bench.soak;

import dev.lmstudiosidecar.bench.SidecarProcess;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The soak: the packaged sidecar, with the README's JVM flags, under mixed traffic for {@code --minutes}
 * at {@code --rate} requests a second while faults come and go ({@link SoakFaults}); at the end of each
 * window its memory, heap after GC, open files and threads are sampled, and target/soak/report.md says
 * what each window saw and whether anything grew after the warm-up. Run by {@code bench/soak}; not part of
 * {@code ./mvnw verify}.
 */
public final class Soak {

    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        int minutes = intArg(args, "--minutes", 10);
        int rate = intArg(args, "--rate", 20);
        int windowSeconds = intArg(args, "--window-s", 30);
        Path out = Path.of("target/soak");
        Files.createDirectories(out);
        Path dataDir = Files.createTempDirectory("soak-data");
        List<String> jvm = List.of("@deploy/jvm.options",
                "-Dsidecar.data-dir=" + dataDir,
                "-Dlmstudio.timeout=5s", "-Dlmstudio.stream-idle-timeout=5s",
                "-Dlmstudio.health-check-interval=5s", "-Dlmstudio.retry-delay=100ms", "-Dlmstudio.retry-max-delay=1s");
        LmStudioEmulator emulator = LmStudioEmulator.start(0, 2);
        emulator.tokensPerResponse(16);
        List<SoakReport.Row> rows = new ArrayList<>();
        try (SidecarProcess sidecar = SidecarProcess.start(Path.of("target/quarkus-app/quarkus-run.jar"), jvm, null, emulator.baseUrl(),
                out.resolve("sidecar.log"));
             SoakFaults faults = new SoakFaults(emulator)) {
            SoakWindows windows = new SoakWindows(new SoakWindow(System.currentTimeMillis(), faults.window(0)));
            int count = Math.max(1, minutes * 60 / windowSeconds);
            System.out.printf("[soak] %d min at %d req/s, %d windows of %d s; sidecar pid %d%n", minutes, rate, count, windowSeconds, sidecar.pid());
            try (SoakTraffic traffic = new SoakTraffic(sidecar.baseUrl(), windows)) {
                traffic.start(rate);
                for (int i = 1; i <= count; i++) {
                    Thread.sleep(Duration.ofSeconds(windowSeconds).toMillis());
                    SoakWindow ended = windows.next(new SoakWindow(System.currentTimeMillis(), i < count ? faults.window(i) : "none"));
                    SoakReport.Row row = new SoakReport.Row(i, ended, SoakSample.of(sidecar.pid(), sidecar.managementUrl()));
                    rows.add(row);
                    System.out.println("[soak] " + row.line());
                }
            }
        } finally {
            emulator.close();
        }
        String report = SoakReport.render(minutes, rate, windowSeconds, rows);
        Files.writeString(out.resolve("report.md"), report);
        System.out.println(report);
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
