package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.PrometheusScrape;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every metric the Grafana dashboard queries exists on /q/metrics once the sidecar has seen traffic. */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class GrafanaDashboardTest extends EmulatedLmStudioTest {

    private static final Path DASHBOARD = Path.of("deploy/grafana/lmstudio-sidecar.json");
    /** Prometheus makes {@code up} itself, for every target it scrapes; the sidecar does not export it. */
    private static final Set<String> MADE_BY_PROMETHEUS = Set.of("up");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
            "unless", "bool", "offset");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,");

    /** The metric names of a PromQL expression: no function, keyword, label name, label value or range. */
    static Set<String> metricNames(String expr) {
        String bare = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(bare);
        while (identifier.find()) {
            String rest = bare.substring(identifier.end()).stripLeading();
            if (!rest.startsWith("(") && !KEYWORDS.contains(identifier.group())) {
                names.add(identifier.group());
            }
        }
        return names;
    }

    private static Set<String> dashboardMetrics() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Set<String> names = new TreeSet<>();
        for (JsonNode expr : dashboard.findValues("expr")) {
            names.addAll(metricNames(expr.asText()));
        }
        for (JsonNode definition : dashboard.path("templating").findValues("definition")) {
            Matcher query = LABEL_VALUES.matcher(definition.asText());
            while (query.find()) {
                names.add(query.group(1));
            }
        }
        return names;
    }

    @Test
    void theQueryParserFindsMetricsOnly() {
        assertEquals(Set.of("a_bucket", "b_total"), metricNames(
                "histogram_quantile(0.95, sum by (le, x) (rate(a_bucket{x=~\"$m\", y!=\"\"}[$__rate_interval]))) / on (x) b_total"));
    }

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws IOException {
        Set<String> queried = dashboardMetrics();
        assertTrue(queried.size() >= 15, "the dashboard's queries were read: " + queried);
        assertTrue(queried.containsAll(Set.of("gen_ai_client_operation_duration_seconds_bucket", "gen_ai_server_time_to_first_token_seconds_bucket",
                "gen_ai_client_token_usage_sum", "sidecar_circuit_breaker_state", "sidecar_requests_queued",
                "sidecar_model_load_duration_seconds_count")), queried.toString());

        // Traffic that makes every series: answers plain and streamed, an embedding, a retry, a fallback, an error, a load, an unload.
        ChatRequests.post("qwen2.5-7b-instruct", false).statusCode(200);
        ChatRequests.post("qwen2.5-7b-instruct", true).statusCode(200);
        given().contentType(ContentType.JSON).body("{\"model\":\"text-embedding-nomic-embed-text-v1.5\",\"input\":\"a\"}")
                .post("/v1/embeddings").then().statusCode(200);
        emulator.failNext(1, 500);
        ChatRequests.post("qwen2.5-7b-instruct", false).statusCode(200);
        ChatRequests.post("deepseek-coder-34b", false).statusCode(200);
        ChatRequests.post("no-such-model", false).statusCode(404);
        when().post("/admin/models/refresh").then().statusCode(200);
        when().post("/admin/models/phi-3-mini/load").then().statusCode(200);
        when().post("/admin/models/phi-3-mini/unload").then().statusCode(200);

        Set<String> exported = PrometheusScrape.now().names();
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(exported);
        missing.removeAll(MADE_BY_PROMETHEUS);
        assertEquals(Set.of(), missing, "queried by " + DASHBOARD + " but not on /q/metrics");
    }
}
