package dev.lmstudiosidecar.bench;

import dev.lmstudiosidecar.testsupport.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged sidecar (JVM mode) as a separate process, the way it runs next to an app. */
public final class SidecarProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final int apiPort;
    private final int managementPort;
    private final List<String> command;
    /** From the process's start to its first ready answer: when Kubernetes would send it traffic. */
    private long readyAfterMillis;

    private SidecarProcess(Process process, int apiPort, int managementPort, List<String> command) {
        this.process = process;
        this.apiPort = apiPort;
        this.managementPort = managementPort;
        this.command = command;
    }

    /** @param cpus a taskset CPU list to pin the sidecar to (e.g. "1"), or null to let it float */
    public static SidecarProcess start(Path jar, List<String> jvmOptions, String cpus, String lmStudioBaseUrl, Path log)
            throws IOException, InterruptedException {
        Map<String, String> lmStudio = new LinkedHashMap<>();
        lmStudio.put("lmstudio.base-url", lmStudioBaseUrl);
        // Open-loop load keeps many requests in flight; the default of 5 would measure the queue.
        lmStudio.put("lmstudio.max-concurrent-requests", "256");
        lmStudio.put("lmstudio.max-queued-requests", "4096");
        return start(jar, jvmOptions, cpus, lmStudio, log);
    }

    /**
     * @param settings system properties that say which LM Studio host(s) it sends to and how many requests at once
     *                 ({@code lmstudio.base-url} or {@code lmstudio.hosts.<name>.*}, limits, queue), in order
     */
    public static SidecarProcess start(Path jar, List<String> jvmOptions, String cpus, Map<String, String> settings, Path log)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run ./mvnw -B -DskipTests package first (bench/run does)");
        }
        int apiPort = FreePorts.any();
        int managementPort = FreePorts.any();
        List<String> command = new ArrayList<>();
        if (cpus != null) {
            command.addAll(List.of("taskset", "-c", cpus));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.port=" + apiPort);
        command.add("-Dquarkus.management.port=" + managementPort);
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toString());
        Files.createDirectories(log.getParent());
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        SidecarProcess sidecar = new SidecarProcess(process, apiPort, managementPort, command);
        sidecar.awaitReady(managementPort, log);
        sidecar.readyAfterMillis = (System.nanoTime() - started) / 1_000_000;
        return sidecar;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + apiPort + "/v1";
    }

    /** The management interface: {@code /q/health/*}, {@code /q/metrics}. */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    /** SIGTERM, as Kubernetes stops a container; returns at once. */
    public void terminate() {
        process.destroy();
    }

    /** SIGKILL, as a crash or the OOM killer ends it: no shutdown hook runs, no file is closed; returns once it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** @return whether the process exited within {@code within} */
    public boolean awaitExit(Duration within) throws InterruptedException {
        return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    long readyAfterMillis() {
        return readyAfterMillis;
    }

    public long pid() {
        return process.pid();
    }

    String commandLine() {
        return String.join(" ", command);
    }

    /** Started (its warm-up done), then ready (LM Studio's required models loaded), as Kubernetes probes them. */
    private void awaitReady(int managementPort, Path log) throws InterruptedException {
        awaitUp(managementPort, "started", log);
        awaitUp(managementPort, "ready", log);
    }

    private void awaitUp(int managementPort, String probe, Path log) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/health/" + probe))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the sidecar exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(20); // short: the start-up time is measured with it
        }
        close();
        throw new IllegalStateException("the sidecar was not " + probe + " within " + START_TIMEOUT + "; see " + log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
