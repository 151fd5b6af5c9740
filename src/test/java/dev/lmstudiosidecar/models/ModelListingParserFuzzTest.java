package dev.lmstudiosidecar.models;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;

/**
 * Coverage-guided fuzzing of the model listing parser ({@link ModelListingParser#parse}) for each
 * {@link DiscoveryApi}: whatever JSON a server answers, the parser either reads models or refuses the answer
 * with {@link ModelListingParser.UnexpectedListing}, never another exception (which would stop discovery). Every
 * model read has a key that is not blank, a type and a state, and no negative figure.
 *
 * <p>Seeds: {@code ModelListingParserFuzzTestInputs/readsModelsOrRefusesTheListing/} (a JSON answer followed by
 * the byte that picks the listing's API).
 */
class ModelListingParserFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @FuzzTest(maxDuration = "5s")
    void readsModelsOrRefusesTheListing(FuzzedDataProvider data) {
        DiscoveryApi api = data.pickValue(DiscoveryApi.values());
        JsonNode root;
        try {
            root = JSON.readTree(data.consumeRemainingAsBytes());
        } catch (IOException notJson) {
            return; // the REST client refuses it before the parser sees it
        }
        List<DiscoveredModel> models;
        try {
            models = ModelListingParser.parse(api, root);
        } catch (ModelListingParser.UnexpectedListing refused) {
            assertNotNull(refused.getMessage());
            assertTrue(refused.getMessage().startsWith(api.path()), () -> "the message names the listing: " + refused.getMessage());
            return;
        }
        for (DiscoveredModel model : models) {
            assertFalse(model.key().isBlank());
            assertNotNull(model.type());
            assertNotNull(model.state());
            assertTrue(model.sizeBytes() >= 0 && model.maxContextLength() >= 0 && model.parameterCount() >= 0,
                    () -> "no negative figure: " + model);
            model.instances().forEach(instance -> {
                assertFalse(instance.id().isBlank(), "a loaded copy has an id");
                assertTrue(instance.contextLength() >= 0, () -> "no negative context length: " + instance);
            });
        }
    }
}
