package dev.lmstudiosidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.bench.SidecarProcess;
import dev.lmstudiosidecar.testsupport.Eventually;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The packaged sidecar, stopped and started again on the same data directory, answers from the
 * persistent tier what it cached before (run by Failsafe, after the package: a process of its own each time).
 */
class CacheRestartIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final String BODY = "{\"model\":\"qwen2.5-7b-instruct\",\"temperature\":0,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Remember me\"}]}";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void anAnswerCachedOnDiskIsAnsweredAgainAfterARestart() throws Exception {
        Path data = Files.createTempDirectory("sidecar-restart");
        Path logs = Files.createDirectories(Path.of("target", "cache-restart-it"));
        try (LmStudioEmulator emulator = LmStudioEmulator.start()) {
            // 8 tokens 100 ms apart: over sidecar.cache.persist-min-generation (500 ms), so it goes to disk too.
            emulator.tokensPerResponse(8);
            emulator.tokenDelay(Duration.ofMillis(100));
            List<String> flags = List.of("@deploy/jvm.options", "-Dsidecar.data-dir=" + data);
            String recorded;
            try (SidecarProcess first = SidecarProcess.start(JAR, flags, null, emulator.baseUrl(), logs.resolve("first.log"))) {
                HttpResponse<String> miss = chat(first);
                assertEquals(200, miss.statusCode(), miss.body());
                assertEquals("MISS", miss.headers().firstValue("X-Sidecar-Cache").orElse(""));
                recorded = miss.body();
                Eventually.await("the answer is on disk", Duration.ofSeconds(10),
                        () -> admin(first).contains("\"persistent\":{\"available\":true,\"entries\":1"));
            }
            try (SidecarProcess second = SidecarProcess.start(JAR, flags, null, emulator.baseUrl(), logs.resolve("second.log"))) {
                HttpResponse<String> hit = chat(second);
                assertEquals(200, hit.statusCode(), hit.body());
                assertEquals("HIT", hit.headers().firstValue("X-Sidecar-Cache").orElse(""), hit.headers().map().toString());
                assertEquals(recorded, hit.body(), "the answer recorded before the restart");
                assertTrue(hit.headers().firstValue("Age").isPresent());
            }
            assertEquals(1, emulator.requestCount("/v1/chat/completions"), "LM Studio was asked once, before the restart");
        }
    }

    private HttpResponse<String> chat(SidecarProcess sidecar) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(sidecar.baseUrl() + "/chat/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private String admin(SidecarProcess sidecar) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(sidecar.baseUrl().replaceFirst("/v1$", "") + "/admin/cache"))
                    .timeout(Duration.ofSeconds(5)).build();
            return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }
}
