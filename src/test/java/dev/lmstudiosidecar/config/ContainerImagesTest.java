package dev.lmstudiosidecar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The images under {@code deploy/docker/} cannot be built on the development machines (no container engine):
 * this keeps what they promise checked. Both build from the sources in their first stage, so the build
 * context ({@code .dockerignore}) must let the sources in; both keep the API on loopback and run as no root.
 */
class ContainerImagesTest {

    private static final Path NATIVE = Path.of("deploy/docker/Dockerfile.native");
    private static final Path JVM = Path.of("deploy/docker/Dockerfile.jvm");
    private static final Pattern BUILDER = Pattern.compile("(?m)^FROM (quay\\.io/quarkus/ubi9-quarkus-mandrel-builder-image:\\S+) AS build$");

    @Test
    void theNativeImageBuildsTheExecutableAndRunsItOnLoopbackAsNoRoot() throws IOException {
        String file = Files.readString(NATIVE);
        assertTrue(BUILDER.matcher(file).find(), "stage 1 is Quarkus's Mandrel builder");
        assertTrue(file.contains("RUN ./mvnw -B package -Dnative -DskipTests"));
        assertTrue(file.contains("FROM quay.io/quarkus/ubi9-quarkus-micro-image:"), "a UBI 9 runtime, as the UBI 9 builder");
        assertTrue(file.contains("COPY --from=build --chown=1001:root --chmod=0755 /code/target/*-runner /work/application"));
        assertTrue(file.contains("\nUSER 1001\n"));
        assertTrue(file.contains("\nEXPOSE 9235\n"));
        assertTrue(file.contains("ENTRYPOINT [\"./application\", \"-Dquarkus.http.host=127.0.0.1\""), "the API stays on loopback");
        assertLeavesShutdownToTheSidecar(file);
    }

    @Test
    void theJvmImageRunsTheFastJarWithTheReadmeFlagsOnLoopbackAsNoRoot() throws IOException {
        String file = Files.readString(JVM);
        assertTrue(file.contains("RUN ./mvnw -B package -DskipTests"));
        assertTrue(file.contains("target/quarkus-app/lib/ /deployments/lib/") && file.contains("target/quarkus-app/quarkus/ /deployments/quarkus/"),
                "the fast-jar's layout");
        assertTrue(file.contains("\nUSER 185\n") && file.trim().lines().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElseThrow().equals("USER 185"),
                "the last USER is not root");
        assertTrue(file.contains("\nEXPOSE 9235\n"));
        assertTrue(file.contains("ENTRYPOINT [\"java\", \"@/deployments/jvm.options\", \"-Dquarkus.http.host=127.0.0.1\", \"-jar\", \"/deployments/quarkus-run.jar\"]"));
        assertFalse(file.contains("JAVA_OPTS"), "run-java.sh's flags would clash with deploy/jvm.options");
        assertLeavesShutdownToTheSidecar(file);
    }

    @Test
    void theBuildContextHasTheSourcesButNotTarget() throws IOException {
        List<String> ignored = Files.readAllLines(Path.of(".dockerignore")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertTrue(ignored.contains("target") && ignored.contains(".git"), ignored.toString());
        for (String needed : List.of("src", "pom.xml", "mvnw", ".mvn", "deploy", "deploy/jvm.options", "*", "**")) {
            assertFalse(ignored.contains(needed) || ignored.contains(needed + "/") || ignored.contains("/" + needed), needed + " is ignored");
        }
    }

    @Test
    void theWorkflowBuildsWithTheSameMandrelAsTheNativeImage() throws IOException {
        Matcher builder = BUILDER.matcher(Files.readString(NATIVE));
        assertTrue(builder.find());
        String workflow = Files.readString(Path.of(".github/workflows/native.yml"));
        assertTrue(workflow.contains("-Dquarkus.native.builder-image=" + builder.group(1)), "the workflow's builder image");
        assertEquals(1, workflow.lines().filter(l -> l.strip().startsWith("run: ./mvnw -B verify -Dnative ")).count(), "one native verify");
    }

    /** SIGTERM goes to the sidecar (PID 1, exec form), whose own drain and grace period apply. */
    private static void assertLeavesShutdownToTheSidecar(String file) {
        assertFalse(file.contains("sidecar.shutdown") || file.contains("quarkus.shutdown"), "no shutdown override");
        assertFalse(file.contains("STOPSIGNAL"));
        assertFalse(file.lines().anyMatch(l -> l.startsWith("ENTRYPOINT") && !l.startsWith("ENTRYPOINT [")), "exec form");
    }
}
