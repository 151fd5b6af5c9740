package dev.lmstudiosidecar.testsupport.emulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/** The ways LM Studio, llama.cpp's llama-server and a generic server describe their models. */
final class ModelListings {

    private ModelListings() {
    }

    /** OpenAI {@code /v1/models}: with JIT on, every downloaded model, not what is in memory. */
    static ObjectNode openAi(List<EmulatedModel> models, boolean jit) {
        ObjectNode root = Json.object().put("object", "list");
        ArrayNode data = root.putArray("data");
        for (EmulatedModel m : models) {
            if (jit || m.isLoaded()) {
                data.addObject().put("id", m.key).put("object", "model").put("owned_by", "organization_owner");
            }
        }
        return root;
    }

    /**
     * llama.cpp's llama-server {@code /v1/models}: the OpenAI list with a {@code meta} per model
     * (parameter count, trained context, file size in bytes), and beside it an Ollama-style
     * {@code models} array. It lists the models it serves; nothing says which are in memory.
     */
    static ObjectNode llamaCpp(List<EmulatedModel> models) {
        ObjectNode root = Json.object();
        ArrayNode ollamaStyle = root.putArray("models");
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (EmulatedModel m : models) {
            ollamaStyle.addObject().put("name", m.key).put("model", m.key).put("type", "model")
                    .putArray("capabilities").add(m.isEmbedding() ? "embedding" : "completion");
            data.addObject().put("id", m.key).put("object", "model").put("created", 1_733_000_000L).put("owned_by", "llamacpp")
                    .putObject("meta")
                    .put("vocab_type", 1).put("n_vocab", 32000)
                    .put("n_ctx_train", m.maxContextLength)
                    .put("n_embd", 4096)
                    .put("n_params", parameterCount(m))
                    .put("size", m.sizeBytes);
        }
        return root;
    }

    /** The params string as a number ("7B", "3.8B", "137M"); without one, about two weights a byte of a Q4 file. */
    private static long parameterCount(EmulatedModel m) {
        String written = m.paramsString == null ? "" : m.paramsString.trim().toUpperCase(Locale.ROOT);
        if (written.matches("[0-9]+(\\.[0-9]+)?[KMB]")) {
            int exponent = switch (written.charAt(written.length() - 1)) {
                case 'K' -> 3;
                case 'M' -> 6;
                default -> 9;
            };
            return new BigDecimal(written.substring(0, written.length() - 1)).scaleByPowerOfTen(exponent).longValue();
        }
        return m.sizeBytes * 2;
    }

    /** LM Studio 0.3 REST {@code /api/v0/models}: note "embeddings" (plural) and the state string. */
    static ObjectNode v0(List<EmulatedModel> models) {
        ObjectNode root = Json.object().put("object", "list");
        ArrayNode data = root.putArray("data");
        for (EmulatedModel m : models) {
            data.addObject()
                    .put("id", m.key)
                    .put("object", "model")
                    .put("type", m.isEmbedding() ? "embeddings" : "llm")
                    .put("publisher", m.publisher())
                    .put("arch", m.architecture())
                    .put("compatibility_type", "gguf")
                    .put("quantization", m.quantization)
                    .put("state", m.isLoaded() ? "loaded" : "not-loaded")
                    .put("max_context_length", m.maxContextLength);
        }
        return root;
    }

    /** LM Studio 0.4 REST {@code /api/v1/models}: loaded instances with their config. */
    static ObjectNode v1(List<EmulatedModel> models) {
        ObjectNode root = Json.object();
        ArrayNode list = root.putArray("models");
        for (EmulatedModel m : models) {
            ObjectNode node = list.addObject()
                    .put("type", m.type)
                    .put("publisher", m.publisher())
                    .put("key", m.key)
                    .put("display_name", m.key);
            if (!m.isEmbedding()) {
                node.put("architecture", m.architecture()); // absent for embedding models, as in LM Studio
            }
            node.putObject("quantization").put("name", m.quantization).put("bits_per_weight", m.bitsPerWeight());
            node.put("size_bytes", m.sizeBytes).put("params_string", m.paramsString);
            ArrayNode instances = node.putArray("loaded_instances");
            for (ModelInstance i : m.instances()) {
                instances.addObject().put("id", i.id()).putObject("config").put("context_length", i.contextLength());
            }
            node.put("max_context_length", m.maxContextLength).put("format", "gguf");
            if (!m.isEmbedding()) {
                node.putObject("capabilities").put("vision", false).put("trained_for_tool_use", false);
            }
        }
        return root;
    }
}
