package dev.lmstudiosidecar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.bench.CompareReports.Metric;
import dev.lmstudiosidecar.bench.CompareReports.Row;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CompareReportsTest {

    private static final String REF = header("2026-12-02T00:37:22Z", "110.6 MiB; lifetime peak at the end: 151.2 MiB; CPU used in all: 23.6 s") + """


            ## Non-streaming chat at 500 req/s

            16 tokens per answer, no delay per token

            | total (ms) | p50 | p90 | p99 | max |
            |---|---:|---:|---:|---:|
            | direct | 0.355 | 0.586 | 1.869 | 25.412 |
            | sidecar | 0.644 | 0.972 | 4.776 | 51.544 |
            | added | 0.289 | 0.386 | 2.907 | 26.132 |

            | target | sent | ok | errors | throughput (req/s) | SSE events | reads |
            |---|---:|---:|---:|---:|---:|---:|
            | direct | 15000 | 15000 | 0 | 500.1 | 0 | 15000 |

            Sidecar while serving its share: 6.85 CPU s, peak RSS 151.2 MiB.

            ## Targets

            | target | measured | verdict |
            |---|---|---|
            | added latency, non-streaming at 500 req/s, p50 <= 0.3 ms | 0.289 ms | met |
            """;

    private static final String CURRENT = header("2026-12-02T00:40:00Z", "117.4 MiB; lifetime peak at the end: 168.0 MiB; CPU used in all: 23.5 s") + """
            ## Non-streaming chat at 500 req/s

            | total (ms) | p50 | p90 | p99 | max |
            |---|---:|---:|---:|---:|
            | added | 0.654 | 2.946 | 8.737 | 13.435 |

            Sidecar while serving its share: 6.25 CPU s, peak RSS 167.8 MiB.

            ## Streaming chat at 50 streams/s

            | time to first token (ms) | p50 | p90 | p99 | max |
            |---|---:|---:|---:|---:|
            | added | 1.294 | 3.916 | 1.507 | -4.522 |

            | gap between chunks (ms) | p50 | p90 | p99 | max |
            |---|---:|---:|---:|---:|
            | added | -0.010 | 0.645 | 1.274 | 5.898 |

            Sidecar while serving its share: 6.17 CPU s, peak RSS 168.0 MiB.
            """;

    @Test
    void readsHeaderFiguresAddedPercentilesAndSidecarUsePerSection() {
        List<Row> rows = CompareReports.compare(List.of(REF, CURRENT), List.of(CURRENT, REF));
        List<String> expected = List.of(
                "Whole run | sidecar RSS after start-up (MiB) | 110.6, 117.4 | 117.4, 110.6",
                "Whole run | sidecar lifetime peak RSS (MiB) | 151.2, 168.0 | 168.0, 151.2",
                "Whole run | sidecar CPU in all (s) | 23.6, 23.5 | 23.5, 23.6",
                "Non-streaming chat at 500 req/s | total (ms): added p50 | 0.289, 0.654 | 0.654, 0.289",
                "Non-streaming chat at 500 req/s | total (ms): added p90 | 0.386, 2.946 | 2.946, 0.386",
                "Non-streaming chat at 500 req/s | total (ms): added p99 | 2.907, 8.737 | 8.737, 2.907",
                "Non-streaming chat at 500 req/s | sidecar CPU (s) | 6.85, 6.25 | 6.25, 6.85",
                "Non-streaming chat at 500 req/s | sidecar peak RSS (MiB) | 151.2, 167.8 | 167.8, 151.2",
                "Streaming chat at 50 streams/s | time to first token (ms): added p50 | null, 1.294 | 1.294, null",
                "Streaming chat at 50 streams/s | time to first token (ms): added p90 | null, 3.916 | 3.916, null",
                "Streaming chat at 50 streams/s | time to first token (ms): added p99 | null, 1.507 | 1.507, null",
                "Streaming chat at 50 streams/s | gap between chunks (ms): added p50 | null, -0.010 | -0.010, null",
                "Streaming chat at 50 streams/s | gap between chunks (ms): added p90 | null, 0.645 | 0.645, null",
                "Streaming chat at 50 streams/s | gap between chunks (ms): added p99 | null, 1.274 | 1.274, null",
                "Streaming chat at 50 streams/s | sidecar CPU (s) | null, 6.17 | 6.17, null",
                "Streaming chat at 50 streams/s | sidecar peak RSS (MiB) | null, 168.0 | 168.0, null");
        assertEquals(expected, rows.stream().map(CompareReportsTest::flat).toList());
    }

    @Test
    void aScenarioInOneSideOnlyIsNotMeasuredOnTheOther() {
        String report = CompareReports.render("# header\n", "HEAD~1", List.of(REF), List.of(CURRENT));
        assertTrue(report.contains("\n- Sidecar JVM flags: ref `-Xms32m -Xmx128m -XX:+UseSerialGC`, current "
                + "`-Xms32m -Xmx128m -XX:+UseSerialGC` (the same)\n"), report);
        assertTrue(report.contains("\n- Runs started 2026-12-02T00:37:22Z, 2026-12-02T00:40:00Z, on 2 cores (AMD EPYC), Java 17.0.15\n"), report);
        assertTrue(report.contains("\n## Non-streaming chat at 500 req/s\n\n| metric | `HEAD~1` | current | ranges | current / ref |\n"), report);
        assertTrue(report.contains("| total (ms): added p99 | 2.907 (2.907) | 8.737 (8.737) | current higher | 3.01 |\n"), report);
        assertTrue(report.contains("| time to first token (ms): added p50 | not measured | 1.294 (1.294) | - | - |\n"), report);
        assertFalse(report.contains("Targets"), report);
    }

    @Test
    void rangesKeepEveryRunAndTheFiguresAsWritten() {
        String report = CompareReports.render("", "main", List.of(REF, CURRENT), List.of(CURRENT, CURRENT));
        assertTrue(report.contains("| sidecar lifetime peak RSS (MiB) | 151.2 to 168.0 (151.2, 168.0) | 168.0 (168.0, 168.0) | overlap | 1.05 |\n"),
                report);
        assertTrue(report.contains("| gap between chunks (ms): added p50 | -0.010 (-, -0.010) | -0.010 (-0.010, -0.010) | overlap | - |\n"),
                report);
    }

    @Test
    void readsTheTwoHostRatio() {
        String twoHosts = """
                ## Throughput at saturation: one LM Studio host against two

                | | one host | two hosts |
                |---|---:|---:|
                | throughput (req/s) | 18.6 | 38.2 |

                Two hosts served 2.05× the requests per second of one (ideal 2.0: every slot of both hosts busy all the time).
                """;
        List<Row> rows = CompareReports.compare(List.of(twoHosts), List.of(twoHosts.replace("2.05×", "1.43×")));
        assertEquals(List.of("Throughput at saturation: one LM Studio host against two | throughput, two hosts over one (ideal 2.0) | 2.05 | 1.43"),
                rows.stream().map(CompareReportsTest::flat).toList());
    }

    /** The head of a report as Benchmark writes it. */
    private static String header(String measuredAt, String rssAndCpu) {
        return "# lmstudio-sidecar benchmark\n\nMeasured " + measuredAt + " on 2 cores (AMD EPYC), Java 17.0.15. The emulator "
                + "and the load generator share the machine.\n\nSidecar: `$JAVA_HOME/bin/java -Xms32m -Xmx128m -XX:+UseSerialGC "
                + "-Dquarkus.http.port=1 -jar /a/quarkus-run.jar`\nSidecar RSS after start-up: " + rssAndCpu + ".\n";
    }

    private static String flat(Row row) {
        Metric m = row.metric();
        return m.section() + " | " + m.name() + " | " + join(row.ref()) + " | " + join(row.current());
    }

    private static String join(List<String> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
