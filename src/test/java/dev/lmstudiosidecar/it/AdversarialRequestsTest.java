package dev.lmstudiosidecar.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lmstudiosidecar.api.RequestHints;
import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.RawHttpConnection;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A black-box fuzz of the running sidecar: thousands of generated malformed and adversarial requests over real
 * sockets. Each generated request knows whether the sidecar must refuse it (malformed: a 4xx with an OpenAI error
 * body) or may pass it on (well-formed, naming a model the emulator has: a 2xx or a 4xx). Never a 5xx, never a hang
 * (every request has a client timeout), never a stack trace; and a normal chat works afterwards.
 *
 * <p>The seed is printed; rerun one with {@code -Dadversarial.seed=<seed>}, more with {@code -Dadversarial.requests=N}.
 */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class AdversarialRequestsTest extends EmulatedLmStudioTest {

    private static final String MODEL = "qwen2.5-7b-instruct";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TestHTTPResource("/")
    URL sidecar;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * One generated request and what its answer may be.
     *
     * @param raw sent over a socket by hand (headers HttpClient refuses to send: CR, LF, 20K and more); Vert.x may
     *            answer those before any route, 400, 414 or 431 with an empty body
     */
    private record Probe(String what, String method, String path, byte[] body, String[] headers, boolean malformed, boolean raw) {
        Probe(String what, String method, String path, byte[] body, String[] headers, boolean malformed) {
            this(what, method, path, body, headers, malformed, false);
        }
    }

    @Test
    void everyGeneratedRequestGetsA4xxOpenAiErrorOrAProperAnswerAndNever5xx() throws Exception {
        long seed = Long.getLong("adversarial.seed", System.nanoTime());
        int count = Integer.getInteger("adversarial.requests", 3000);
        System.out.println("AdversarialRequestsTest: seed " + seed + ", " + count + " requests (-Dadversarial.seed=" + seed + " repeats them)");
        Random random = new Random(seed);
        List<String> failures = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < count; i++) {
            Probe probe = generate(random);
            String verdict = check(probe);
            if (verdict == null) {
                continue;
            }
            if (verdict.startsWith("refused")) {
                refused++;
                continue;
            }
            failures.add("#" + i + " " + probe.what() + ": " + verdict);
            if (failures.size() >= 20) {
                break;
            }
        }
        assertTrue(failures.isEmpty(), "seed " + seed + ":\n" + String.join("\n", failures));
        assertTrue(refused > count / 3, "most generated requests are malformed and refused, only " + refused + " were");
        ChatRequests.post(MODEL, false).statusCode(200);
    }

    /** null or "refused ..." when the answer keeps the rules, else what is wrong. */
    private String check(Probe probe) throws Exception {
        if (probe.raw()) {
            return checkRaw(probe);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + probe.path())).timeout(TIMEOUT)
                .method(probe.method(), probe.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(probe.body()));
        if (probe.headers().length > 0) {
            request.headers(probe.headers());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException hang) {
            return "no answer within " + TIMEOUT;
        }
        int status = response.statusCode();
        String body = response.body();
        if (status >= 500) {
            return status + " " + cut(body);
        }
        if (body.contains("\tat ") || body.contains("Exception:") || body.contains("Exception\n")) {
            return "a stack trace or exception in the body: " + cut(body);
        }
        if (status >= 400) {
            String problem = openAiError(body);
            return problem == null ? "refused " + status : status + " " + problem;
        }
        return probe.malformed() ? "malformed, but " + status + ": " + cut(body) : null;
    }

    private String checkRaw(Probe probe) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int h = 0; h < probe.headers().length; h += 2) {
            headers.put(probe.headers()[h], probe.headers()[h + 1]);
        }
        RawHttpConnection.Answer answer;
        try (RawHttpConnection connection = RawHttpConnection.open(sidecar)) {
            answer = connection.send(probe.method(), probe.path(), headers,
                    probe.body() == null ? null : new String(probe.body(), StandardCharsets.UTF_8));
        } catch (SocketTimeoutException hang) {
            return "no answer within the socket's 5 s";
        }
        if (answer.status() >= 500) {
            return answer.status() + " " + cut(answer.body());
        }
        if (answer.header("Set-Cookie") != null || String.valueOf(answer.header("X-Request-Id")).contains("Cookie")) {
            return "a header of the client's making came back: " + answer.headers();
        }
        boolean beforeRoutes = answer.status() == 400 || answer.status() == 414 || answer.status() == 431;
        if (answer.status() >= 400 && !(beforeRoutes && answer.body().isEmpty())) {
            String problem = openAiError(answer.body());
            return problem == null ? "refused " + answer.status() : answer.status() + " " + problem;
        }
        if (answer.status() >= 400) {
            return "refused " + answer.status();
        }
        return probe.malformed() ? "malformed, but " + answer.status() + ": " + cut(answer.body()) : null;
    }

    /** null when {@code body} is an OpenAI error object, else what it lacks. */
    static String openAiError(String body) {
        try {
            JsonNode error = JSON.readTree(body).path("error");
            if (!error.path("message").isTextual() || !error.path("type").isTextual() || !error.has("code")) {
                return "not an OpenAI error {\"error\":{\"message\",\"type\",\"code\"}}: " + cut(body);
            }
            return null;
        } catch (IOException e) {
            return "not JSON: " + cut(body);
        }
    }

    private String base() {
        return sidecar.toString().replaceAll("/+$", "");
    }

    private static String cut(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }

    // ---- the generator ----

    private static final String VALID_CHAT = ChatRequests.body(MODEL, false);
    private static final String[] GENERATING = {"/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/admin/route"};
    private static final String[] WRONG_VALUES = {"1", "-1.5", "true", "null", "\"\"", "\"x\"", "[]", "[1]", "{}", "{\"a\":1}", "[{}]",
            "[{\"role\":1}]", "[{\"role\":\"\"}]", "1e99999999999", "\"" + "z".repeat(3000) + "\""};
    private static final String[] KNOWN_FIELDS = {"model", "messages", "prompt", "input", "stream", "task_type", "preferred_provider",
            "fallback_to_cloud"};
    private static final String[] ODD_NAMES = {"..", "../..", "%2e%2e%2f%2e%2e", "..%2F..%2Fetc%2Fpasswd", "%00", "%0d%0aSet-Cookie:%20x",
            "a%2Fb", "%25", "~", "%E2%80%AE", "%FF%FE", "con", "a;b", "a?b=c", "%20", "x".repeat(2000), "%C0%AE%C0%AE"};

    private Probe generate(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> brokenJson(random);
            case 1 -> deepNesting(random);
            case 2 -> wrongType(random);
            case 3 -> hugeNumber(random);
            case 4 -> invalidUtf8(random);
            case 5 -> duplicateKeys(random);
            case 6 -> oddModelPath(random);
            case 7 -> notAnObject(random);
            case 8 -> random.nextBoolean() ? hintHeader(random) : rawHeaders(random);
            default -> mutated(random);
        };
    }

    private static Probe post(String what, String path, byte[] body, boolean malformed, String... headers) {
        String[] all = Arrays.copyOf(headers, headers.length + 2);
        all[headers.length] = "Content-Type";
        all[headers.length + 1] = "application/json";
        return new Probe(what, "POST", path, body, all, malformed);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private Probe brokenJson(Random random) {
        int cut = 1 + random.nextInt(VALID_CHAT.length() - 1);
        return post("JSON cut at " + cut, "/v1/chat/completions", utf8(VALID_CHAT.substring(0, cut)), true);
    }

    private Probe deepNesting(Random random) {
        int depth = 65 + random.nextInt(random.nextBoolean() ? 1000 : 100_000);
        String open = random.nextBoolean() ? "[" : "{\"a\":";
        String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"x\":" + open.repeat(depth);
        return post("nesting " + depth + " deep", GENERATING[random.nextInt(GENERATING.length)], utf8(body), true);
    }

    private Probe wrongType(Random random) {
        String path = GENERATING[random.nextInt(3)];
        String field = KNOWN_FIELDS[random.nextInt(KNOWN_FIELDS.length)];
        String value = WRONG_VALUES[random.nextInt(WRONG_VALUES.length)];
        String required = path.endsWith("chat/completions") ? "messages" : path.endsWith("embeddings") ? "input" : "prompt";
        String requiredValue = required.equals("messages") ? "[{\"role\":\"user\",\"content\":\"x\"}]" : "\"x\"";
        String body = "{\"model\":\"" + MODEL + "\",\"" + required + "\":" + requiredValue + ",\"" + field + "\":" + value + "}";
        return post(field + "=" + cut(value) + " on " + path, path, utf8(body), refusedByValidation(field, value, required));
    }

    /** Whether the sidecar's own validation must refuse {@code value} in {@code field} (the last of duplicate keys wins). */
    private static boolean refusedByValidation(String field, String value, String required) {
        boolean string = value.startsWith("\"");
        if (value.startsWith("1e9999")) {
            return true; // no number of that size is read anywhere
        }
        if (field.equals(required)) {
            if (required.equals("messages")) {
                return true; // none of WRONG_VALUES is an array of messages with a role
            }
            return value.equals("null") || value.equals("\"\"") || value.equals("[]") || !string && !value.startsWith("[");
        }
        return switch (field) {
            case "model" -> !string && !value.equals("null") || value.equals("\"\"");
            case "stream", "fallback_to_cloud" -> !value.equals("true") && !value.equals("null");
            case "task_type", "preferred_provider" -> !value.equals("null");
            default -> false; // a field this endpoint does not read: LM Studio's business
        };
    }

    private Probe hugeNumber(Random random) {
        String number = random.nextBoolean() ? "9".repeat(1001 + random.nextInt(5000)) : "1e" + "9".repeat(11 + random.nextInt(20));
        String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":" + number + "}";
        return post("number of " + number.length() + " characters", "/v1/chat/completions", utf8(body), true);
    }

    private Probe invalidUtf8(Random random) {
        byte[][] bad = {{(byte) 0xFF}, {(byte) 0xC3, 0x28}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF0, (byte) 0x9F, 0x41}, {(byte) 0xC0, (byte) 0xAF}};
        byte[] wrong = bad[random.nextInt(bad.length)];
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        // in the model name, which the sidecar reads, or in a message's content, which it steps over: refused either way
        boolean inModel = random.nextBoolean();
        body.writeBytes(utf8(inModel ? "{\"model\":\"qwen" : "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\""));
        body.writeBytes(wrong);
        body.writeBytes(utf8(inModel ? "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}" : "\"}]}"));
        return post("invalid UTF-8 " + Arrays.toString(wrong) + (inModel ? " in the model" : " in the content"), "/v1/chat/completions",
                body.toByteArray(), true);
    }

    private Probe duplicateKeys(Random random) {
        String body = random.nextBoolean()
                ? "{\"model\":\"nope\",\"model\":\"" + MODEL + "\",\"messages\":[],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
                : "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"messages\":[]}";
        return post("duplicate keys", "/v1/chat/completions", utf8(body), body.endsWith("\"messages\":[]}"));
    }

    private Probe oddModelPath(Random random) {
        String name = ODD_NAMES[random.nextInt(ODD_NAMES.length)];
        return switch (random.nextInt(3)) {
            case 0 -> post("load " + cut(name), "/admin/models/" + name + "/load", random.nextBoolean() ? null : utf8("{\"ttl\":"), true);
            case 1 -> post("unload " + cut(name), "/admin/models/" + name + "/unload", null, true);
            default -> new Probe("GET /v1/models/" + cut(name), "GET", "/v1/models/" + name, null, new String[0], false);
        };
    }

    private Probe notAnObject(Random random) {
        String[] bodies = {"", "null", "[]", "\"x\"", "42", "{}", "{\"model\":\"" + MODEL + "\"}", "{\"messages\":[]} trailing", "{,}", "\u0000"};
        String body = bodies[random.nextInt(bodies.length)];
        return post("body " + body, GENERATING[random.nextInt(GENERATING.length)], utf8(body), true);
    }

    private Probe hintHeader(Random random) {
        String[] names = {RequestHints.TASK_TYPE_HEADER, RequestHints.PREFER_PROVIDER_HEADER, RequestHints.FALLBACK_TO_CLOUD_HEADER};
        // no task type, provider or boolean among them: each is refused by whichever header carries it
        String[] values = {"nope", "", "1", "yes", "cloud\u00e9", "x".repeat(3000)};
        String value = values[random.nextInt(values.length)];
        return post("header with " + cut(value), "/v1/chat/completions", utf8(VALID_CHAT), true, names[random.nextInt(names.length)], value);
    }

    /** Header injection attempts, huge headers and URIs: over a socket, since HttpClient refuses to send them. */
    private Probe rawHeaders(Random random) {
        String[] injections = {"abc\rSet-Cookie: stolen=1", "abc\nSet-Cookie: stolen=1", "abc\r\n\r\nGET /admin/models HTTP/1.1",
                "\u0000", "a\tb"};
        return switch (random.nextInt(3)) {
            case 0 -> new Probe("header injection", "POST", "/v1/chat/completions", utf8(VALID_CHAT),
                    new String[] {"X-Request-Id", injections[random.nextInt(injections.length)], "Content-Type", "application/json"},
                    false, true);
            case 1 -> new Probe("a header of 20K and more", "POST", "/v1/chat/completions", utf8(VALID_CHAT),
                    new String[] {"X-Padding", "h".repeat(20 * 1024 + random.nextInt(64 * 1024)), "Content-Type", "application/json"},
                    true, true);
            default -> new Probe("a URI of 4K and more", "GET", "/v1/models/" + "u".repeat(4096 + random.nextInt(16 * 1024)), null,
                    new String[0], true, true);
        };
    }

    private Probe mutated(Random random) {
        byte[] body = utf8(VALID_CHAT);
        byte[] noise = utf8("{}[],:\"\\\u0001");
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            body[random.nextInt(body.length)] = noise[random.nextInt(noise.length)];
        }
        boolean parses;
        try {
            JSON.readTree(body);
            parses = true;
        } catch (IOException e) {
            parses = false;
        }
        // A mutation that still parses may be a request the emulator answers, or one the sidecar refuses.
        return post("mutated chat", "/v1/chat/completions", body, !parses);
    }
}
