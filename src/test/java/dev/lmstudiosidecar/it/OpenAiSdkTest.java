package dev.lmstudiosidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.lmstudiosidecar.testsupport.Eventually;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.SidecarClients;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An app's unchanged OpenAI SDK, pointed at the sidecar, works: plain, streaming, and when it hangs up. */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class OpenAiSdkTest extends EmulatedLmStudioTest {

    private static final String MODEL = "qwen2.5-7b-instruct";

    @TestHTTPResource("/")
    URL sidecar;

    private OpenAIClient openAi;

    @BeforeEach
    void setUp() {
        openAi = SidecarClients.openAi(sidecar);
    }

    private static ChatCompletionCreateParams chat(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("Tell me a story").build();
    }

    private static String expectedText(int tokens) {
        return IntStream.range(0, tokens).mapToObj(i -> "tok" + i + " ").collect(Collectors.joining());
    }

    @Test
    void aPlainChatCompletionWorksWithTheSidecarHeaders() {
        HttpResponseFor<ChatCompletion> response = openAi.chat().completions().withRawResponse().create(chat(MODEL));
        ChatCompletion completion = response.parse();
        assertEquals(expectedText(5), completion.choices().get(0).message().content().orElseThrow());
        assertEquals(MODEL, response.headers().values("X-Sidecar-Model").get(0));
        assertEquals("lmstudio", response.headers().values("X-Sidecar-Provider").get(0));
    }

    @Test
    void aStreamedChatKeepsEveryChunkInOrder() {
        emulator.tokensPerResponse(40);
        List<String> deltas = new ArrayList<>();
        ChatCompletionCreateParams params = chat(MODEL).toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        long usageChunks;
        try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(params)) {
            List<ChatCompletionChunk> chunks = stream.stream().toList();
            chunks.forEach(chunk -> chunk.choices().forEach(choice -> choice.delta().content()
                    .filter(text -> !text.isEmpty()).ifPresent(deltas::add)));
            usageChunks = chunks.stream().filter(chunk -> chunk.usage().isPresent()).count();
        }
        List<String> expected = IntStream.range(0, 40).mapToObj(i -> "tok" + i + " ").toList();
        assertEquals(expected, deltas, "one delta per upstream chunk, in upstream order");
        assertEquals(1, usageChunks, "stream_options reached LM Studio and its usage chunk came back");
    }

    @Test
    void chunksReachTheClientWhileLmStudioIsStillGenerating() {
        emulator.tokensPerResponse(300); // 15 s of generation: far longer than the test needs
        emulator.tokenDelay(Duration.ofMillis(50));
        try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(chat(MODEL))) {
            Iterator<ChatCompletionChunk> chunks = stream.stream().iterator();
            String first = "";
            while (first.isEmpty()) {
                first = chunks.next().choices().get(0).delta().content().orElse("");
            }
            assertEquals("tok0 ", first);
            assertEquals("tok1 ", chunks.next().choices().get(0).delta().content().orElseThrow());
            assertEquals(1, emulator.activeGenerations(), "the first tokens arrived while the generation went on");
        }
        assertEquals(0, emulator.completedGenerations());
    }

    @Test
    void closingTheStreamStopsTheGenerationUpstream() {
        emulator.tokensPerResponse(500);
        emulator.tokenDelay(Duration.ofMillis(20));
        try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(chat(MODEL))) {
            Iterator<ChatCompletionChunk> chunks = stream.stream().iterator();
            for (int i = 0; i < 3; i++) {
                chunks.next();
            }
        }
        Eventually.await("LM Studio sees the abort", Duration.ofSeconds(5), () -> emulator.abortedGenerations() == 1);
        assertEquals(0, emulator.activeGenerations());
        assertEquals(0, emulator.completedGenerations());
    }

    @Test
    void embeddingsAndModelsWork() {
        CreateEmbeddingResponse embeddings = openAi.embeddings().create(EmbeddingCreateParams.builder()
                .model("text-embedding-nomic-embed-text-v1.5").input("hello world").build());
        assertEquals(1, embeddings.data().size());
        assertEquals(8, embeddings.data().get(0).embedding().size());
        List<String> ids = openAi.models().list().data().stream().map(Model::id).toList();
        assertTrue(ids.contains(MODEL), ids.toString());
    }

    @Test
    void anUnknownModelIsANotFoundErrorWithItsCode() {
        NotFoundException e = assertThrows(NotFoundException.class, () -> openAi.chat().completions().create(chat("nope")));
        assertEquals("model_not_found", e.code().orElseThrow());
    }
}
