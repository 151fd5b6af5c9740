package dev.lmstudiosidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.bench.SidecarProcess;
import dev.lmstudiosidecar.testsupport.Eventually;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged sidecar stopped as Kubernetes stops it (SIGTERM) with a stream in flight: readiness goes DOWN at
 * once, new requests are refused after the drain delay, a stream that ends within the grace period ends whole,
 * one that does not ends with an SSE error event; then the process exits (run by Failsafe, a process of its own).
 */
class GracefulShutdownIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final String STREAM = "{\"model\":\"qwen2.5-7b-instruct\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a long story\"}]}";
    private static final Duration DRAIN_DELAY = Duration.ofSeconds(1);
    private static final Duration GRACE_PERIOD = Duration.ofSeconds(4);

    /** HTTP/1.1, as the OpenAI SDKs speak to a cleartext endpoint (the JDK client would otherwise try h2c). */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private SidecarProcess start(LmStudioEmulator emulator, String log) throws Exception {
        Path data = Files.createTempDirectory("sidecar-shutdown");
        Path logs = Files.createDirectories(Path.of("target", "graceful-shutdown-it"));
        return SidecarProcess.start(JAR, List.of("@deploy/jvm.options", "-Dsidecar.data-dir=" + data,
                "-Dsidecar.shutdown.drain-delay=" + DRAIN_DELAY.toMillis() + "ms",
                "-Dsidecar.shutdown.grace-period=" + GRACE_PERIOD.toMillis() + "ms"), null, emulator.baseUrl(), logs.resolve(log));
    }

    private CompletableFuture<HttpResponse<String>> stream(SidecarProcess sidecar) {
        return http.sendAsync(post(sidecar, STREAM), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest post(SidecarProcess sidecar, String body) {
        return HttpRequest.newBuilder(URI.create(sidecar.baseUrl() + "/chat/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private int readiness(SidecarProcess sidecar) throws Exception {
        HttpRequest ready = HttpRequest.newBuilder(URI.create(sidecar.managementUrl() + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build();
        return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aStreamInFlightAtSigtermEndsWholeWhileReadinessIsDownAndNewRequestsAreRefused() throws Exception {
        try (LmStudioEmulator emulator = LmStudioEmulator.start()) {
            emulator.tokensPerResponse(25);
            emulator.tokenDelay(Duration.ofMillis(100)); // 2.5 s: within the grace period
            try (SidecarProcess sidecar = start(emulator, "whole.log")) {
                CompletableFuture<HttpResponse<String>> inFlight = stream(sidecar);
                Eventually.await("the stream is generating", Duration.ofSeconds(5), () -> emulator.activeGenerations() == 1);
                long signalled = System.nanoTime();
                sidecar.terminate();
                Eventually.await("readiness DOWN", Duration.ofMillis(800), () -> {
                    try {
                        return readiness(sidecar) == 503;
                    } catch (Exception e) {
                        return false;
                    }
                });
                Thread.sleep(Math.max(0, DRAIN_DELAY.toMillis() + 300 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled)));
                HttpResponse<String> refused = http.send(post(sidecar, STREAM), HttpResponse.BodyHandlers.ofString());
                assertEquals(503, refused.statusCode(), refused.body());
                assertTrue(refused.body().contains("\"code\":\"sidecar_shutting_down\""), refused.body());

                HttpResponse<String> whole = inFlight.get(10, TimeUnit.SECONDS);
                assertEquals(200, whole.statusCode());
                assertTrue(whole.body().strip().endsWith("data: [DONE]"), whole.body());
                assertEquals(25, whole.body().lines().filter(line -> line.contains("\"content\":\"tok")).count(), whole.body());
                assertTrue(sidecar.awaitExit(GRACE_PERIOD.plusSeconds(5)), "the process exited after the stream");
            }
        }
    }

    @Test
    void aStreamStillRunningAtTheEndOfTheGracePeriodEndsWithAnErrorEventNotACutConnection() throws Exception {
        try (LmStudioEmulator emulator = LmStudioEmulator.start()) {
            emulator.tokensPerResponse(300);
            emulator.tokenDelay(Duration.ofMillis(100)); // 30 s: far past the grace period
            try (SidecarProcess sidecar = start(emulator, "cut.log")) {
                CompletableFuture<HttpResponse<String>> inFlight = stream(sidecar);
                Eventually.await("the stream is generating", Duration.ofSeconds(5), () -> emulator.activeGenerations() == 1);
                sidecar.terminate();
                HttpResponse<String> ended = inFlight.get(GRACE_PERIOD.toSeconds() + 5, TimeUnit.SECONDS);
                assertEquals(200, ended.statusCode());
                String body = ended.body();
                assertTrue(body.contains("\"content\":\"tok0 \""), body);
                assertTrue(body.strip().endsWith("}"), "the last event is the error, whole: " + body);
                assertTrue(body.contains("\"code\":\"sidecar_shutting_down\""), body);
                assertTrue(body.contains("sidecar.shutdown.grace-period"), body);
                assertFalse(body.contains("[DONE]"), body);
                assertTrue(sidecar.awaitExit(Duration.ofSeconds(5)), "the process exited after the grace period");
                Eventually.await("LM Studio stopped generating", Duration.ofSeconds(5), () -> emulator.activeGenerations() == 0);
            }
        }
    }
}
