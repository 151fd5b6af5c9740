package dev.lmstudiosidecar.bench.soak;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The sidecar process as the soak samples it at the end of a window: resident memory, heap after a full GC
 * (asked for with {@code jcmd GC.run}, then read from {@code /q/metrics}), open file descriptors and threads.
 */
record SoakSample(double rssMiB, double heapAfterGcMiB, int openFiles, int threads) {

    private static final double MIB = 1 << 20;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static SoakSample of(long pid, String managementUrl) throws IOException, InterruptedException {
        Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        gc.waitFor(30, TimeUnit.SECONDS);
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl + "/q/metrics")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double heap = metrics.lines().filter(line -> line.startsWith("jvm_memory_used_bytes{area=\"heap\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
        int files;
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            files = (int) fds.count();
        }
        return new SoakSample(status(pid, "VmRSS:") / 1024.0, heap / MIB, files, (int) status(pid, "Threads:"));
    }

    private static long status(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }
}
