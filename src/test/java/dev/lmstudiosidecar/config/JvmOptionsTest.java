package dev.lmstudiosidecar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/jvm.options} is the one place of the sidecar's JVM flags: the README's run command, the
 * JVM image and the benchmark all read it, and the JVM itself takes it.
 */
class JvmOptionsTest {

    private static final Path OPTIONS = Path.of("deploy/jvm.options");

    @Test
    void theJvmTakesTheFlagsAndBoundsTheHeapAndTheCompiler() throws IOException, InterruptedException {
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + OPTIONS, "-XX:+PrintFlagsFinal", "-version").redirectErrorStream(true).start();
        String flags = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(java.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, java.exitValue(), flags);
        assertTrue(flags.matches("(?s).*\\bMaxHeapSize\\s+= 67108864\\b.*"), "a 64 MiB heap");
        assertTrue(flags.matches("(?s).*\\bTieredStopAtLevel\\s+= 1\\b.*"), "C1 only");
        assertTrue(flags.matches("(?s).*\\bCompileThresholdScaling\\s+= 0\\.1\\d*\\b.*"), "compiled after a tenth of the calls");
        assertTrue(flags.matches("(?s).*\\bUseSerialGC\\s+= true\\b.*"));
        assertTrue(flags.matches("(?s).*\\bMaxMetaspaceSize\\s+= 134217728\\b.*"), "a bounded metaspace");
    }

    @Test
    void theRunCommandTheImageAndTheBenchmarkAllUseIt() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains("./mvnw -B -DskipTests package && java @deploy/jvm.options -jar target/quarkus-app/quarkus-run.jar"),
                "the README's run command");
        String image = Files.readString(Path.of("deploy/docker/Dockerfile.jvm"));
        assertTrue(image.contains("COPY --chown=185 deploy/jvm.options /deployments/jvm.options")
                && image.contains("ENTRYPOINT [\"java\", \"@/deployments/jvm.options\","), "the JVM image");
        String bench = Files.readString(Path.of("src/test/java/dev/lmstudiosidecar/bench/BenchOptions.java"));
        assertTrue(bench.contains("RUN_OPTIONS = \"" + OPTIONS + "\""), "the benchmark's default flags");
    }
}
