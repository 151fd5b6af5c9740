package dev.lmstudiosidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The packaged sidecar, killed with SIGKILL while it writes answers to its persistent cache under load, starts
 * again on the same data directory, becomes ready and serves; what it answers from the cache is what the client
 * got the first time, whole; an answer the kill lost is a miss (answered upstream again), never a torn one; and
 * the log says at most once that entries were dropped. Three rounds, killed after different amounts of load
 * (run by Failsafe: a process of its own each time).
 */
class CacheCrashIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final String MODEL = "qwen2.5-7b-instruct";
    /** How long each round's load runs before the kill: early in the writes, in the middle, after many. */
    private static final List<Duration> KILL_AFTER = List.of(Duration.ofMillis(300), Duration.ofMillis(1_200), Duration.ofMillis(2_500));
    private static final int LOAD_THREADS = 8;
    /** Answers each round waits to see counted on disk before the load: they must survive the kill. */
    private static final int SETTLED_PER_ROUND = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** HTTP/1.1, as the OpenAI SDKs speak to a cleartext endpoint. */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Per prompt: whether it was streamed, and the body the client got first (or again after a miss). */
    private final Map<String, Answer> answered = new ConcurrentHashMap<>();

    private record Answer(boolean stream, String body) {
    }

    private record Reply(int status, String cache, String body) {
    }

    @Test
    void aSidecarKilledWhileWritingItsCacheRestartsServesAndNeverAnswersAHalfWrittenEntry() throws Exception {
        Path data = Files.createTempDirectory("sidecar-crash");
        Path logs = Files.createDirectories(Path.of("target", "cache-crash-it"));
        List<String> flags = List.of("@deploy/jvm.options", "-Dsidecar.data-dir=" + data, "-Dlmstudio.cache-mode=all",
                "-Dsidecar.cache.persist-min-generation=0ms");
        try (LmStudioEmulator emulator = LmStudioEmulator.start()) {
            // Bodies of a few KiB, generated fast: many writes in flight when the kill comes.
            emulator.tokensPerResponse(200);
            emulator.tokenDelay(Duration.ZERO);
            List<String> settled = List.of();
            for (int round = 0; round <= KILL_AFTER.size(); round++) {
                Path log = logs.resolve("round-" + round + ".log");
                try (SidecarProcess sidecar = SidecarProcess.start(JAR, flags, null, emulator.baseUrl(), log)) {
                    // Started and ready (start() waits for both); now everything answered before the kill, again.
                    List<String> dropWarnings = cacheWarnings(log);
                    assertTrue(dropWarnings.size() <= 1, "at most one warning about the cache: " + dropWarnings);
                    askEverythingAgain(sidecar, settled, dropWarnings.isEmpty(), round);
                    if (round == KILL_AFTER.size()) {
                        break; // the last start only checks
                    }
                    settled = settle(sidecar, round);
                    loadThenKill(sidecar, round, KILL_AFTER.get(round));
                }
            }
        }
    }

    /**
     * Every prompt answered so far, asked again as it was first asked: a hit is the body the client got, whole;
     * a miss is a fresh whole answer. The settled prompts must hit unless the cache said it dropped entries.
     */
    private void askEverythingAgain(SidecarProcess sidecar, List<String> settled, boolean cacheKept, int round) throws Exception {
        int hits = 0;
        int misses = 0;
        for (Map.Entry<String, Answer> entry : new HashMap<>(answered).entrySet()) {
            String prompt = entry.getKey();
            Answer first = entry.getValue();
            Reply again = chat(sidecar, prompt, first.stream());
            assertEquals(200, again.status(), prompt + ": " + again.body());
            assertWhole(again.body(), first.stream(), prompt);
            if ("HIT".equals(again.cache())) {
                hits++;
                assertEquals(first.body(), again.body(), prompt + ": a hit is the answer the client got first");
            } else {
                misses++;
                assertTrue(!cacheKept || !settled.contains(prompt), prompt + " was on disk before the kill and no warning "
                        + "said it was dropped, yet it missed");
                answered.put(prompt, new Answer(first.stream(), again.body()));
            }
        }
        System.out.printf("CacheCrashIT start %d: %d answered before asked again, %d hits, %d misses%n", round,
                hits + misses, hits, misses);
    }

    /** Answers the sidecar has counted on disk before the load starts. */
    private List<String> settle(SidecarProcess sidecar, int round) throws Exception {
        long before = persistentEntries(sidecar);
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < SETTLED_PER_ROUND; i++) {
            String prompt = "settled round " + round + " #" + i;
            boolean stream = i % 2 == 1;
            Reply reply = chat(sidecar, prompt, stream);
            assertEquals(200, reply.status(), reply.body());
            assertWhole(reply.body(), stream, prompt);
            answered.put(prompt, new Answer(stream, reply.body()));
            prompts.add(prompt);
        }
        Eventually.await("the settled answers are counted on disk", Duration.ofSeconds(20),
                () -> persistentEntries(sidecar) >= before + SETTLED_PER_ROUND);
        return prompts;
    }

    /** Distinct prompts, plain and streamed, from several threads, until SIGKILL ends the process under them. */
    private void loadThenKill(SidecarProcess sidecar, int round, Duration killAfter) throws Exception {
        AtomicBoolean killed = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < LOAD_THREADS; t++) {
            int thread = t;
            Thread load = new Thread(() -> {
                for (int i = 0; !killed.get(); i++) {
                    String prompt = "load round " + round + " thread " + thread + " #" + i;
                    boolean stream = (i + thread) % 2 == 0;
                    try {
                        Reply reply = chat(sidecar, prompt, stream);
                        if (!killed.get() && reply.status() == 200 && isWhole(reply.body(), stream)) {
                            answered.put(prompt, new Answer(stream, reply.body()));
                        }
                    } catch (IOException | InterruptedException gone) {
                        return; // the kill cut it: the client never got this answer
                    }
                }
            }, "crash-load-" + t);
            load.start();
            threads.add(load);
        }
        Thread.sleep(killAfter.toMillis());
        killed.set(true);
        sidecar.kill();
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(30).toMillis());
        }
    }

    private Reply chat(SidecarProcess sidecar, String prompt, boolean stream) throws IOException, InterruptedException {
        String body = "{\"model\":\"" + MODEL + "\"," + (stream ? "\"stream\":true," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(sidecar.baseUrl() + "/chat/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.headers().firstValue("X-Sidecar-Cache").orElse(""), response.body());
    }

    private static void assertWhole(String body, boolean stream, String prompt) {
        assertTrue(isWhole(body, stream), prompt + ": not a whole answer: " + body);
    }

    /** A plain answer that parses with its choices; a stream whose last event is [DONE]. */
    private static boolean isWhole(String body, boolean stream) {
        if (stream) {
            return body.strip().endsWith("data: [DONE]") && body.contains("\"finish_reason\":\"stop\"");
        }
        try {
            JsonNode answer = JSON.readTree(body);
            return answer.path("choices").path(0).path("message").path("content").isTextual()
                    && "stop".equals(answer.path("choices").path(0).path("finish_reason").asText());
        } catch (IOException notJson) {
            return false;
        }
    }

    /** The WARN and ERROR lines of the response cache and of Infinispan under it. */
    private static List<String> cacheWarnings(Path log) throws IOException {
        return Files.readAllLines(log).stream()
                .filter(line -> line.contains("WARN") || line.contains("ERROR"))
                .filter(line -> line.contains("response cache") || line.contains("[org.inf") || line.contains("[dev.lms.cac"))
                .toList();
    }

    private long persistentEntries(SidecarProcess sidecar) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(sidecar.baseUrl().replaceFirst("/v1$", "") + "/admin/cache"))
                    .timeout(Duration.ofSeconds(5)).build();
            return JSON.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body()).path("persistent").path("entries").asLong();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }
}
