package dev.lmstudiosidecar.models;

import static dev.lmstudiosidecar.models.DiscoveredModel.LoadState.LOADED;
import static dev.lmstudiosidecar.models.DiscoveredModel.LoadState.NOT_LOADED;
import static dev.lmstudiosidecar.models.DiscoveredModel.LoadState.UNKNOWN;
import static dev.lmstudiosidecar.models.DiscoveredModel.ModelType.EMBEDDING;
import static dev.lmstudiosidecar.models.DiscoveredModel.ModelType.LLM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadedInstance;
import dev.lmstudiosidecar.models.ModelListingParser.UnexpectedListing;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelListingParserTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Shaped like the emulator's {@code /api/v1/models} and LM Studio 0.4's docs. */
    private static final String V1_LISTING = """
            {"models": [
              {"type": "llm", "publisher": "lmstudio-community", "key": "qwen2.5-7b-instruct",
               "display_name": "Qwen2.5 7B Instruct", "architecture": "qwen2",
               "quantization": {"name": "Q4_K_M", "bits_per_weight": 4},
               "size_bytes": 4683000000, "params_string": "7B",
               "loaded_instances": [
                 {"id": "qwen2.5-7b-instruct", "config": {"context_length": 4096, "flash_attention": false}},
                 {"id": "qwen2.5-7b-instruct:2", "config": {"context_length": 16384}}],
               "max_context_length": 32768, "format": "gguf",
               "capabilities": {"vision": false, "trained_for_tool_use": true}, "description": null},
              {"type": "llm", "publisher": "lmstudio-community", "key": "phi-3-mini", "display_name": "phi-3-mini",
               "architecture": "phi3", "quantization": {"name": "Q4_K_M", "bits_per_weight": 4},
               "size_bytes": 2390000000, "params_string": "3.8B", "loaded_instances": [],
               "max_context_length": 4096, "format": "gguf"},
              {"type": "embedding", "publisher": "nomic-ai", "key": "text-embedding-nomic-embed-text-v1.5",
               "display_name": "Nomic Embed Text v1.5", "quantization": {"name": "Q8_0", "bits_per_weight": 8},
               "size_bytes": 84000000, "params_string": "137M",
               "loaded_instances": [{"id": "text-embedding-nomic-embed-text-v1.5", "config": {"context_length": 2048}}],
               "max_context_length": 2048, "format": "gguf"}
            ]}
            """;

    /** Shaped like LM Studio 0.3's {@code /api/v0/models}. */
    private static final String V0_LISTING = """
            {"object": "list", "data": [
              {"id": "qwen2-vl-7b-instruct", "object": "model", "type": "vlm", "publisher": "mlx-community",
               "arch": "qwen2_vl", "compatibility_type": "mlx", "quantization": "4bit",
               "state": "not-loaded", "max_context_length": 32768},
              {"id": "meta-llama-3.1-8b-instruct", "object": "model", "type": "llm", "publisher": "lmstudio-community",
               "arch": "llama", "compatibility_type": "gguf", "quantization": "Q4_K_M",
               "state": "loaded", "max_context_length": 131072},
              {"id": "text-embedding-nomic-embed-text-v1.5", "object": "model", "type": "embeddings",
               "publisher": "nomic-ai", "arch": "nomic-bert", "compatibility_type": "gguf", "quantization": "Q8_0",
               "state": "loaded", "max_context_length": 2048},
              {"id": "gemma-3-12b-it", "object": "model", "type": "llm", "arch": "gemma3",
               "quantization": "Q4_K_M", "state": "loading", "max_context_length": 131072}
            ]}
            """;

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static List<DiscoveredModel> parse(DiscoveryApi api, String text) {
        return ModelListingParser.parse(api, json(text));
    }

    @Test
    void readsLoadedInstancesFromLmStudio04Listing() {
        List<DiscoveredModel> models = parse(DiscoveryApi.LMSTUDIO_V1, V1_LISTING);

        assertEquals(List.of(
                new DiscoveredModel("qwen2.5-7b-instruct", LLM, LOADED,
                        List.of(new LoadedInstance("qwen2.5-7b-instruct", 4096),
                                new LoadedInstance("qwen2.5-7b-instruct:2", 16384)),
                        4_683_000_000L, 32768, "Q4_K_M", "7B", 0, "qwen2"),
                new DiscoveredModel("phi-3-mini", LLM, NOT_LOADED, List.of(),
                        2_390_000_000L, 4096, "Q4_K_M", "3.8B", 0, "phi3"),
                new DiscoveredModel("text-embedding-nomic-embed-text-v1.5", EMBEDDING, LOADED,
                        List.of(new LoadedInstance("text-embedding-nomic-embed-text-v1.5", 2048)),
                        84_000_000L, 2048, "Q8_0", "137M", 0, null)),
                models);
    }

    @Test
    void acceptsQuantizationWrittenAsPlainStringInLmStudio04Listing() {
        List<DiscoveredModel> models = parse(DiscoveryApi.LMSTUDIO_V1, """
                {"models": [
                  {"type": "llm", "key": "plain", "quantization": "Q6_K", "loaded_instances": []},
                  {"type": "llm", "key": "nameless", "quantization": {"bits_per_weight": 4}, "loaded_instances": []}
                ]}
                """);

        assertEquals("Q6_K", models.get(0).quantization());
        assertEquals(null, models.get(1).quantization());
    }

    @Test
    void readsLoadStateFromLmStudio03ListingWithoutInstances() {
        List<DiscoveredModel> models = parse(DiscoveryApi.LMSTUDIO_V0, V0_LISTING);

        assertEquals(List.of(
                new DiscoveredModel("qwen2-vl-7b-instruct", LLM, NOT_LOADED, List.of(),
                        0, 32768, "4bit", null, 0, "qwen2_vl"),
                new DiscoveredModel("meta-llama-3.1-8b-instruct", LLM, LOADED, List.of(),
                        0, 131072, "Q4_K_M", null, 0, "llama"),
                new DiscoveredModel("text-embedding-nomic-embed-text-v1.5", EMBEDDING, LOADED, List.of(),
                        0, 2048, "Q8_0", null, 0, "nomic-bert"),
                new DiscoveredModel("gemma-3-12b-it", LLM, UNKNOWN, List.of(),
                        0, 131072, "Q4_K_M", null, 0, "gemma3")),
                models);
    }

    @Test
    void openAiListingGivesNamesOnlyAndTellsEmbeddingsByName() {
        List<DiscoveredModel> models = parse(DiscoveryApi.OPENAI, """
                {"object": "list", "data": [
                  {"id": "qwen2.5-7b-instruct", "object": "model", "owned_by": "organization_owner"},
                  {"id": "Text-EMBEDDING-bge-m3", "object": "model", "owned_by": "organization_owner"}
                ]}
                """);

        assertEquals(List.of(
                new DiscoveredModel("qwen2.5-7b-instruct", LLM, UNKNOWN, List.of(), 0, 0, null, null, 0, null),
                new DiscoveredModel("Text-EMBEDDING-bge-m3", EMBEDDING, UNKNOWN, List.of(), 0, 0, null, null, 0, null)),
                models);
    }

    @Test
    void llamaCppMetaGivesParametersTrainedContextAndSizeButNoState() {
        List<DiscoveredModel> models = parse(DiscoveryApi.OPENAI, """
                {"models": [{"name": "tiny.gguf", "model": "tiny.gguf", "type": "model", "capabilities": ["completion"]}],
                 "object": "list",
                 "data": [{"id": "tiny.gguf", "object": "model", "created": 1733000000, "owned_by": "llamacpp",
                           "meta": {"vocab_type": 1, "n_vocab": 32000, "n_ctx_train": 4096, "n_embd": 4096,
                                    "n_params": 6738415616, "size": 3825065984}}]}
                """);

        assertEquals(List.of(new DiscoveredModel("tiny.gguf", LLM, UNKNOWN, List.of(),
                3_825_065_984L, 4096, null, null, 6_738_415_616L, null)), models);
    }

    @Test
    void badLlamaCppMetaCountsAsNotListed() {
        List<DiscoveredModel> models = parse(DiscoveryApi.OPENAI, """
                {"object": "list", "data": [
                  {"id": "no-meta"},
                  {"id": "null-meta", "meta": null},
                  {"id": "text-meta", "meta": "7B"},
                  {"id": "array-meta", "meta": [6738415616, 4096]},
                  {"id": "empty-meta", "meta": {}},
                  {"id": "null-fields", "meta": {"n_params": null, "n_ctx_train": null, "size": null}},
                  {"id": "wrong-types", "meta": {"n_params": "7B", "n_ctx_train": 4096.5, "size": {"bytes": 1}}},
                  {"id": "booleans", "meta": {"n_params": true, "n_ctx_train": false, "size": true}},
                  {"id": "negative", "meta": {"n_params": -6738415616, "n_ctx_train": -4096, "size": -1}},
                  {"id": "absurd", "meta": {"n_params": 9000000000000000000, "n_ctx_train": 4294967296,
                                            "size": 2000000000000000000}},
                  {"id": "beyond-long", "meta": {"n_params": 99999999999999999999999, "size": 99999999999999999999999}}
                ]}
                """);

        assertEquals(11, models.size());
        for (DiscoveredModel model : models) {
            assertEquals(new DiscoveredModel(model.key(), LLM, UNKNOWN, List.of(), 0, 0, null, null, 0, null), model);
        }
    }

    @Test
    void aBadFigureInLlamaCppMetaLeavesTheGoodOnes() {
        DiscoveredModel model = parse(DiscoveryApi.OPENAI, """
                {"data": [{"id": "half.gguf", "meta": {"n_params": "many", "n_ctx_train": 8192, "size": -5}}]}
                """).get(0);

        assertEquals(new DiscoveredModel("half.gguf", LLM, UNKNOWN, List.of(), 0, 8192, null, null, 0, null), model);
    }

    @Test
    void unknownOrMissingTypeFallsBackToTheEmbedNameRule() {
        List<DiscoveredModel> models = parse(DiscoveryApi.LMSTUDIO_V0, """
                {"data": [
                  {"id": "nomic-embed-text-v2", "state": "loaded"},
                  {"id": "some-tts-model", "type": "tts", "state": "loaded"},
                  {"id": "mxbai-EMBED-large", "type": 3, "state": "loaded"},
                  {"id": "embedded-named-llm", "type": "LLM", "state": "loaded"}
                ]}
                """);

        assertEquals(List.of(EMBEDDING, LLM, EMBEDDING, LLM),
                models.stream().map(DiscoveredModel::type).toList());
    }

    @Test
    void skipsEntriesWithoutAUsableKey() {
        List<DiscoveredModel> models = parse(DiscoveryApi.LMSTUDIO_V1, """
                {"models": [
                  "qwen2.5-7b-instruct", 42, null, [],
                  {"type": "llm"},
                  {"type": "llm", "key": 7},
                  {"type": "llm", "key": "   "},
                  {"type": "llm", "id": "v0-style-id-is-not-a-v1-key"},
                  {"type": "llm", "key": "kept", "loaded_instances": []}
                ]}
                """);

        assertEquals(List.of("kept"), models.stream().map(DiscoveredModel::key).toList());
    }

    @Test
    void wrongTypedFieldsCountAsNotListed() {
        DiscoveredModel model = parse(DiscoveryApi.LMSTUDIO_V1, """
                {"models": [
                  {"type": "llm", "key": "odd", "size_bytes": "4.7 GB", "max_context_length": 32768.5,
                   "params_string": 7, "architecture": {"name": "llama"}, "quantization": ["Q4_K_M"],
                   "loaded_instances": "none", "unknown_field": {"nested": true}}
                ]}
                """).get(0);

        assertEquals(new DiscoveredModel("odd", LLM, UNKNOWN, List.of(), 0, 0, null, null, 0, null), model);
    }

    @Test
    void negativeSizesCountAsNotListed() {
        DiscoveredModel model = parse(DiscoveryApi.LMSTUDIO_V1, """
                {"models": [{"type": "llm", "key": "negative", "size_bytes": -1, "max_context_length": -4096,
                             "loaded_instances": []}]}
                """).get(0);

        assertEquals(0, model.sizeBytes());
        assertEquals(0, model.maxContextLength());
    }

    @Test
    void unnamedLoadedInstanceStillMeansLoaded() {
        DiscoveredModel model = parse(DiscoveryApi.LMSTUDIO_V1, """
                {"models": [{"type": "llm", "key": "m", "loaded_instances": [
                  {"config": {"context_length": 4096}},
                  {"id": "m:2"},
                  {"id": "m:3", "config": {"context_length": "long"}}
                ]}]}
                """).get(0);

        assertEquals(LOADED, model.state());
        assertEquals(List.of(new LoadedInstance("m:2", 0), new LoadedInstance("m:3", 0)), model.instances());
    }

    @Test
    void emptyListingMeansNoModels() {
        assertEquals(List.of(), parse(DiscoveryApi.LMSTUDIO_V1, "{\"models\": []}"));
        assertEquals(List.of(), parse(DiscoveryApi.LMSTUDIO_V0, "{\"object\": \"list\", \"data\": []}"));
        assertEquals(List.of(), parse(DiscoveryApi.OPENAI, "{\"object\": \"list\", \"data\": []}"));
    }

    @Test
    void refusesUnexpectedEndpointAnswerAsListing() {
        UnexpectedListing refused = assertThrows(UnexpectedListing.class, () -> parse(DiscoveryApi.LMSTUDIO_V1,
                "{\"error\":\"Unexpected endpoint or method. (GET /api/v1/models)\"}"));

        assertEquals("/api/v1/models did not answer with a model listing: expected an object with a \"models\" array, "
                        + "found an error: \"Unexpected endpoint or method. (GET /api/v1/models)\"",
                refused.getMessage());
    }

    @Test
    void quotesTheMessageOfAnOpenAiStyleError() {
        UnexpectedListing refused = assertThrows(UnexpectedListing.class, () -> parse(DiscoveryApi.OPENAI,
                "{\"error\": {\"message\": \"Invalid API key\", \"type\": \"invalid_request_error\"}}"));

        assertEquals("/v1/models did not answer with a model listing: expected an object with a \"data\" array, "
                + "found an error: \"Invalid API key\"", refused.getMessage());
    }

    @Test
    void cutsALongErrorTextToTwoHundredCharacters() {
        String longError = "x".repeat(1000);

        UnexpectedListing refused = assertThrows(UnexpectedListing.class,
                () -> parse(DiscoveryApi.LMSTUDIO_V0, "{\"error\": \"" + longError + "\"}"));

        assertTrue(refused.getMessage().endsWith("found an error: \"" + "x".repeat(200) + "...\""), refused.getMessage());
    }

    @Test
    void refusesAnotherListingsShapeAndNamesItsFields() {
        UnexpectedListing refused = assertThrows(UnexpectedListing.class,
                () -> parse(DiscoveryApi.LMSTUDIO_V1, V0_LISTING));

        assertEquals("/api/v1/models did not answer with a model listing: expected an object with a \"models\" array, "
                + "found an object with fields [object, data]", refused.getMessage());
    }

    @Test
    void refusesAListingArrayOfTheWrongType() {
        UnexpectedListing refused = assertThrows(UnexpectedListing.class,
                () -> parse(DiscoveryApi.LMSTUDIO_V0, "{\"data\": {\"id\": \"qwen2.5-7b-instruct\"}}"));

        assertTrue(refused.getMessage().endsWith("found \"data\" as an object"), refused.getMessage());
    }

    @Test
    void refusesRootsThatAreNotObjects() {
        assertTrue(assertThrows(UnexpectedListing.class, () -> parse(DiscoveryApi.OPENAI, "[{\"id\": \"m\"}]"))
                .getMessage().endsWith("found an array"));
        assertTrue(assertThrows(UnexpectedListing.class, () -> parse(DiscoveryApi.OPENAI, "\"Not Found\""))
                .getMessage().endsWith("found a string"));
        assertTrue(assertThrows(UnexpectedListing.class, () -> parse(DiscoveryApi.OPENAI, "{}"))
                .getMessage().endsWith("found an empty object"));
        assertTrue(assertThrows(UnexpectedListing.class,
                () -> ModelListingParser.parse(DiscoveryApi.OPENAI, MissingNode.getInstance()))
                .getMessage().endsWith("found nothing"));
        assertTrue(assertThrows(UnexpectedListing.class, () -> ModelListingParser.parse(DiscoveryApi.OPENAI, null))
                .getMessage().endsWith("found nothing"));
    }
}
