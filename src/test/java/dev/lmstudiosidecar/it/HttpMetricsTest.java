package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.Method;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** http_server_requests_seconds is tagged with route templates: model names and pass-through paths make no new series. */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class HttpMetricsTest extends EmulatedLmStudioTest {

    private static final Pattern URI_TAG = Pattern.compile("^http_server_requests_seconds_count\\{[^}]*\\buri=\"([^\"]*)\"", Pattern.MULTILINE);
    private static final int NAMES = 100;

    private Set<String> uris() {
        Set<String> uris = new TreeSet<>();
        Matcher tag = URI_TAG.matcher(RestAssured.get(ManagementUrls.of("metrics")).then().statusCode(200).extract().asString());
        while (tag.find()) {
            uris.add(tag.group(1));
        }
        return uris;
    }

    @Test
    void modelNamesAndPassThroughPathsDoNotMakeNewSeries() {
        for (int i = 0; i < NAMES; i++) {
            emulator.addModel("series-model-" + i, "llm", 1_000_000_000L, "1B", "Q4_K_M", 4096, false);
        }
        when().post("/admin/models/refresh").then().statusCode(200);
        Set<String> before = uris();
        for (int i = 0; i < NAMES; i++) {
            String model = "series-model-" + i;
            when().post("/admin/models/" + model + "/unload").then().statusCode(409); // listed, not loaded
            given().contentType("application/json").body("{\"ctx\": 1}").post("/admin/models/" + model + "/load").then().statusCode(400);
            when().get("/admin/models/" + model + "/load").then().statusCode(405);
            when().get("/v1/models/" + model);
            given().request(Method.TRACE, "/v1/series-path-" + i).then().statusCode(405);
            when().get("/v1/files/series-file-" + i);
            when().get("/series-elsewhere-" + i).then().statusCode(404);
        }
        ChatRequests.post("qwen2.5-7b-instruct", false).statusCode(200); // still measured after the flood
        Set<String> after = uris();
        assertTrue(after.stream().noneMatch(uri -> uri.contains("series-")), "raw paths became series: " + after);
        assertTrue(after.size() <= before.size() + 10, "from " + before.size() + " to " + after.size() + " uri values: " + after);
        assertThat(after, hasItems("/admin/models/{model}/load", "/admin/models/{model}/unload", "/v1/models/{model}", "/v1/*",
                "/v1/chat/completions", "NOT_FOUND"));
    }
}
