package dev.lmstudiosidecar.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.KeepAliveClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The seed's test completion ({@code lmstudio.health-check.test-completion}): one token of
 * {@code "Hello"} on the test model, proof that LM Studio generates, not only lists. It has a
 * connection of its own, so that it never takes one of the requests' pooled connections, and it
 * counts for no circuit breaker: it is a check, not a request.
 */
final class TestCompletion {

    private final String model;
    private final KeepAliveClient http;
    private final ObjectMapper json;
    private final Duration timeout;
    private final Clock clock = Clock.systemUTC();

    /** @param timeout bound on the silence before and within the answer */
    TestCompletion(Vertx vertx, String model, Duration connectTimeout, Duration timeout, ObjectMapper json) {
        this.model = model;
        this.json = json;
        this.timeout = timeout;
        // The project's keep-alive client (one connection per host): a server that dropped the kept connection between
        // two tests is no failed test.
        this.http = new KeepAliveClient(vertx, new HttpClientOptions()
                        .setKeepAlive(true)
                        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis())),
                new PoolOptions().setHttp1MaxSize(1));
    }

    String model() {
        return model;
    }

    /**
     * Never fails: a failed test is a result too.
     *
     * @param backend the host that has the test model loaded
     * @param apiKey  its {@code api-key}, for an LM Studio with authentication on
     */
    Future<TestCompletionResult> run(Backend backend, Optional<String> apiKey) {
        ObjectNode body = json.createObjectNode().put("model", model).put("max_tokens", 1).put("temperature", 0).put("stream", false);
        body.putArray("messages").addObject().put("role", "user").put("content", "Hello");
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(backend.host())
                .setPort(backend.port())
                .setSsl(backend.tls())
                .setURI(backend.openAiPath("/chat/completions"))
                .setIdleTimeout(timeout.toMillis())
                .putHeader("Content-Type", "application/json")
                .putHeader("Accept", "application/json");
        apiKey.ifPresent(key -> options.putHeader("Authorization", "Bearer " + key));
        return http.send(options, Buffer.buffer(body.toString()), request -> { })
                .compose(response -> response.body().map(answer -> verdict(backend, response.statusCode(), answer)))
                .otherwise(failure -> failed(backend, failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage()));
    }

    /** A 200 is no proof: LM Studio answers some errors with one. A completion has a choice. */
    private TestCompletionResult verdict(Backend backend, int status, Buffer answer) {
        if (status < 200 || status >= 300) {
            return failed(backend, "HTTP " + status);
        }
        try {
            JsonNode root = json.readTree(answer.getBytes());
            if (root != null && root.path("choices").isArray() && !root.path("choices").isEmpty() && !root.has("error")) {
                return new TestCompletionResult(clock.instant(), TestCompletionResult.Outcome.PASSED, null);
            }
            return failed(backend, "the answer has no choice: " + abbreviated(answer.toString()));
        } catch (IOException notJson) {
            return failed(backend, "the answer is not JSON: " + abbreviated(answer.toString()));
        }
    }

    /** Not run: the test model is not loaded, and a test would have LM Studio load it. */
    TestCompletionResult skipped() {
        return new TestCompletionResult(clock.instant(), TestCompletionResult.Outcome.SKIPPED,
                "the test model " + model + " is not loaded (lmstudio.health-check.test-model)");
    }

    private TestCompletionResult failed(Backend backend, String why) {
        return new TestCompletionResult(clock.instant(), TestCompletionResult.Outcome.FAILED, "POST " + backend.openAiPath("/chat/completions")
                + " on " + model + ": " + why);
    }

    private static String abbreviated(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    void close() {
        http.close();
    }
}
