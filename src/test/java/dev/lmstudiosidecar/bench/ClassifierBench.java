package dev.lmstudiosidecar.bench;

import dev.lmstudiosidecar.routing.ChatTexts;
import dev.lmstudiosidecar.routing.ClassifierSettings;
import dev.lmstudiosidecar.routing.TaskClassifier;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What routing a request for {@code model: "auto"} costs before it is sent: reading its messages out of the body
 * and classifying them, on the event loop, in this JVM (C2 after warm-up, as a long-running sidecar's hot path).
 */
final class ClassifierBench {

    private static final String FILLER = "Here is some context about the deployment and the team that wrote it. ";

    private ClassifierBench() {
    }

    /** A Markdown section: µs per request for a 1 KB and a 100 KB prompt. */
    static String run() {
        TaskClassifier classifier = new TaskClassifier(ClassifierSettings.seedDefaults());
        StringBuilder section = new StringBuilder("""

                ## Task classification (model "auto")

                Reading the messages out of a chat body and classifying them, in the benchmark's own JVM after warm-up \
                (the sidecar does this on its event loop for each request for `auto`). Of a message longer than twice \
                `sidecar.routing.scan-chars` (4096) only its start and its end are copied out of the JSON and read.

                | prompt | µs per request (median of 5 batches) |
                |---|---:|
                """);
        for (int kib : new int[] {1, 100}) {
            byte[] body = body(kib * 1024);
            section.append(String.format(Locale.ROOT, "| %d KB | %.1f |%n", kib, microsPerRequest(classifier, body)));
        }
        return section.toString();
    }

    private static byte[] body(int promptBytes) {
        StringBuilder prompt = new StringBuilder("Please debug this function. ");
        while (prompt.length() < promptBytes) {
            prompt.append(FILLER);
        }
        prompt.setLength(promptBytes);
        return ("{\"model\":\"auto\",\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    private static double microsPerRequest(TaskClassifier classifier, byte[] body) {
        int perBatch = 2_000;
        long sink = 0;
        for (int i = 0; i < 20_000; i++) { // warm-up: C2 compiles the loop before it is timed
            sink += classifier.classify(ChatTexts.fromBody(body, 0, body.length, classifier.settings().scanChars())).primary().ordinal();
        }
        double[] batches = new double[5];
        for (int b = 0; b < batches.length; b++) {
            long start = System.nanoTime();
            for (int i = 0; i < perBatch; i++) {
                sink += classifier.classify(ChatTexts.fromBody(body, 0, body.length, classifier.settings().scanChars())).primary().ordinal();
            }
            batches[b] = (System.nanoTime() - start) / 1_000.0 / perBatch;
        }
        if (sink == 42) {
            System.err.println(); // keeps the work observable, so the JIT cannot drop it
        }
        java.util.Arrays.sort(batches);
        return batches[batches.length / 2];
    }
}
