package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lmstudiosidecar.models.DiscoveryApi;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.fleet.LMStudioFleet;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioRestApi;
import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.Upstream;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.Shape;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** LM Studio's REST API through the REST Client, against the emulator: its quirks and its stale connections. */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class ControlPlaneTest extends EmulatedLmStudioTest {

    @Inject
    LMStudioFleet fleet;

    private LMStudioRestApi rest;

    @BeforeEach
    void theOneHostsRestApi() {
        rest = fleet.first().orElseThrow().rest();
    }

    @AfterEach
    void listingsAnswerAgain() {
        emulator.reset();
        // A failed listing may have opened LM Studio's breaker for the next test class of this profile:
        // a check now lets calls through, and a request that passes closes it.
        given().post("/admin/models/refresh").then().statusCode(200);
        ChatRequests.post("qwen2.5-7b-instruct", false).statusCode(200);
    }

    @Test
    void aListingAnsweredWith200AndAnErrorBodyIsThatError() {
        when().post("/admin/models/refresh").then().statusCode(200);
        emulator.listingError("Failed to read the model index");

        UpstreamFailure failure = Upstream.failure(rest.list(DiscoveryApi.LMSTUDIO_V1));
        assertEquals(UpstreamFailure.Kind.SERVER_ERROR, failure.kind());
        assertEquals(200, failure.upstreamStatus());
        assertEquals("Failed to read the model index", failure.message());

        when().post("/admin/models/refresh").then().statusCode(200)
                .body("stale", equalTo(true))
                .body("lastError", containsString("Failed to read the model index"));
    }

    @Test
    void aListingWhoseConnectionClosesUnansweredIsSentOnceMore() {
        emulator.dropNextListings(1);
        JsonNode listing = Upstream.answer(rest.list(DiscoveryApi.LMSTUDIO_V1));
        assertTrue(listing.has("models"), listing.toString());
        assertTrue(emulator.requestCount("/api/v1/models") >= 2, "the dropped listing and the one sent again");
    }

    @Test
    void aListingWhoseConnectionsKeepClosingFailsAsALostConnection() {
        emulator.dropNextListings(2);
        assertEquals(UpstreamFailure.Kind.CONNECTION_LOST, Upstream.failure(rest.list(DiscoveryApi.LMSTUDIO_V1)).kind());
    }

    @Test
    void theGreetingTellsLmStudioFromAnotherServer() {
        assertTrue(Upstream.answer(rest.greeting()).path("lmstudio").asBoolean());
        emulator.shape(Shape.GENERIC_OPENAI);
        assertEquals(404, Upstream.failure(rest.greeting()).upstreamStatus());
    }

    @Test
    void theOpenAiListingIsFoundBesideTheRestApi() {
        JsonNode listing = Upstream.answer(rest.list(DiscoveryApi.OPENAI));
        assertEquals("list", listing.path("object").asText());
        assertEquals(1, emulator.requestCount("/v1/models"));
    }
}
