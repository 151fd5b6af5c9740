package dev.lmstudiosidecar.testsupport.emulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/** Non-streaming answers, and the SSE events of a streaming one. */
final class CompletionBodies {

    static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

    private CompletionBodies() {
    }

    static ObjectNode full(GenerationRequest g) {
        ObjectNode root = Json.object()
                .put("id", g.id())
                .put("object", g.kind().object)
                .put("created", g.created())
                .put("model", g.model());
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
        String content = GenerationKind.tokens(g.completionTokens());
        if (g.kind() == GenerationKind.CHAT) {
            choice.putObject("message").put("role", "assistant").put("content", content);
        } else {
            choice.put("text", content);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", g.finishReason());
        usage(root, g);
        root.put("system_fingerprint", g.model());
        return root;
    }

    private static void usage(ObjectNode root, GenerationRequest g) {
        root.putObject("usage")
                .put("prompt_tokens", g.promptTokens())
                .put("completion_tokens", g.completionTokens())
                .put("total_tokens", g.totalTokens());
    }

    /** Eight floats derived from the text only, so equal inputs embed equally across runs (cache tests). */
    static ObjectNode embeddings(String model, List<String> inputs) {
        ObjectNode root = Json.object().put("object", "list");
        ArrayNode data = root.putArray("data");
        int words = 0;
        for (int i = 0; i < inputs.size(); i++) {
            String text = inputs.get(i);
            words += Json.words(text);
            ArrayNode vector = data.addObject().put("object", "embedding").put("index", i).putArray("embedding");
            for (float f : vector(text)) {
                vector.add(f);
            }
        }
        root.put("model", model);
        int tokens = Math.max(1, words);
        root.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        return root;
    }

    static float[] vector(String text) {
        long seed = 1125899906842597L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            seed = 31 * seed + b;
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[8];
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
            norm += v[i] * v[i];
        }
        float scale = (float) (1 / Math.sqrt(norm)); // unit length, like real embedding models
        for (int i = 0; i < v.length; i++) {
            v[i] *= scale;
        }
        return v;
    }
}
