package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.CloudEmulatorResource;
import dev.lmstudiosidecar.testsupport.EmulatedCloudTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.RawHttpConnection;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where the sidecar sends a request is configuration only (lmstudio.base-url, lmstudio.hosts.*, cloud.base-url):
 * a model name, a body field, a header, a path or an admin parameter naming another host makes it call that
 * host never. The "attacker" is a TCP listener on another port that counts every connection made to it; after
 * each hostile request it has seen none, while the request was answered by the configured emulators or refused
 * with a 4xx.
 */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
@WithTestResource(CloudEmulatorResource.class)
class UpstreamHostsComeOnlyFromConfigurationTest extends EmulatedCloudTest {

    private static final String MODEL = "qwen2.5-7b-instruct";

    private static ServerSocket attacker;
    private static final AtomicInteger attackerConnections = new AtomicInteger();

    @TestHTTPResource("/")
    URL sidecar;

    @BeforeAll
    static void listenAsTheAttacker() throws IOException {
        attacker = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accepting = new Thread(() -> {
            while (!attacker.isClosed()) {
                try (Socket ignored = attacker.accept()) {
                    attackerConnections.incrementAndGet();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "attacker");
        accepting.setDaemon(true);
        accepting.start();
    }

    @AfterAll
    static void stopTheAttacker() throws IOException {
        attacker.close();
    }

    @AfterEach
    void theAttackerWasNeverCalled() {
        assertEquals(0, attackerConnections.get(), "connections the sidecar made to a host named in a request");
    }

    private static String attackerUrl() {
        return "http://127.0.0.1:" + attacker.getLocalPort() + "/v1";
    }

    private static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    }

    /** Answered by the configured LM Studio or cloud, or refused with an OpenAI error: never by another host. */
    private static void answeredByTheConfiguredHostsOrRefused(String what, Response response) {
        int status = response.statusCode();
        String provider = response.header("X-Sidecar-Provider");
        assertTrue(status >= 400 && status < 500 && response.asString().contains("\"error\"")
                || status == 200 && List.of("lmstudio", "cloud").contains(provider),
                what + ": " + status + " " + provider + " " + response.asString());
    }

    @Test
    void aModelNamingAUrlAPathOrAProviderReachesNoOtherHost() {
        String url = attackerUrl();
        List<String> models = List.of(url, url + "/chat/completions", "127.0.0.1:" + attacker.getLocalPort(),
                "//127.0.0.1:" + attacker.getLocalPort() + "/v1", "../../x", "../../../" + url, "cloud:" + url,
                "lmstudio:" + url, "@127.0.0.1:" + attacker.getLocalPort(), MODEL + "@127.0.0.1:" + attacker.getLocalPort());
        for (String model : models) {
            for (String route : List.of("/v1/chat/completions", "/v1/completions", "/v1/embeddings")) {
                String body = route.endsWith("embeddings") ? "{\"model\":\"" + model + "\",\"input\":\"Hi\"}"
                        : route.endsWith("/completions") && !route.contains("chat") ? "{\"model\":\"" + model + "\",\"prompt\":\"Hi\"}"
                        : chat(model);
                answeredByTheConfiguredHostsOrRefused(route + " model " + model,
                        given().contentType(ContentType.JSON).body(body).when().post(route));
            }
            answeredByTheConfiguredHostsOrRefused("GET /v1/models/" + model,
                    given().urlEncodingEnabled(true).when().get("/v1/models/{model}", model));
        }
    }

    @Test
    void bodyFieldsNamingAHostAreNotFollowed() {
        String url = attackerUrl();
        String body = "{\"model\":\"" + MODEL + "\",\"base_url\":\"" + url + "\",\"api_base\":\"" + url + "\",\"host\":\"" + url
                + "\",\"url\":\"" + url + "\",\"preferred_provider\":\"" + url + "\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        Response response = given().contentType(ContentType.JSON).body(body).when().post("/v1/chat/completions");
        answeredByTheConfiguredHostsOrRefused("body fields", response);
    }

    @Test
    void headersNamingAHostAreNotFollowed() {
        String hostPort = "127.0.0.1:" + attacker.getLocalPort();
        Map<String, String> hostile = Map.of("X-Forwarded-Host", hostPort, "X-Forwarded-Proto", "http",
                "X-Forwarded-Port", Integer.toString(attacker.getLocalPort()), "Forwarded", "host=" + hostPort + ";proto=http",
                "X-Sidecar-Host", attackerUrl(), "X-Original-URL", attackerUrl(),
                "X-Rewrite-URL", attackerUrl(), "Referer", attackerUrl());
        Response response = given().contentType(ContentType.JSON).headers(hostile).body(chat(MODEL)).when().post("/v1/chat/completions");
        answeredByTheConfiguredHostsOrRefused("hostile headers", response);
        assertEquals(200, response.statusCode(), response.asString());
        assertEquals("lmstudio", response.header("X-Sidecar-Provider"));
        assertEquals(1, lmstudio.requestCount("/v1/chat/completions"), "the configured LM Studio answered");

        Response provider = given().contentType(ContentType.JSON).header("X-Sidecar-Prefer-Provider", attackerUrl())
                .body(chat(MODEL)).when().post("/v1/chat/completions");
        assertEquals(400, provider.statusCode(), provider.asString());
        assertEquals("X-Sidecar-Prefer-Provider", provider.jsonPath().getString("error.param"));
    }

    @Test
    void aHostHeaderNamingAnotherHostIsNotFollowed() throws IOException {
        String hostPort = "127.0.0.1:" + attacker.getLocalPort();
        String body = chat(MODEL);
        String request = "POST /v1/chat/completions HTTP/1.1\r\nHost: " + hostPort + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body;
        String answer = rawExchange(request);
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        assertEquals(1, lmstudio.requestCount("/v1/chat/completions"), "the configured LM Studio answered");
    }

    @Test
    void pathsThatTraverseOrNameAnotherHostAreAnsweredHereOrRefused() throws IOException {
        String hostPort = "127.0.0.1:" + attacker.getLocalPort();
        for (String path : List.of("/v1/../../x", "/v1/%2e%2e/%2e%2e/x", "//" + hostPort + "/v1/models",
                "/v1//" + hostPort + "/v1/models", "/v1/models/..%2F..%2F" + hostPort, "/v1/chat/completions/../../../" + hostPort)) {
            try (RawHttpConnection connection = RawHttpConnection.open(sidecar)) {
                RawHttpConnection.Answer answer = connection.send("GET", path, Map.of(), null);
                assertTrue(answer.status() == 200 || answer.status() >= 400 && answer.status() < 500, path + ": " + answer.status());
            }
        }
    }

    @Test
    void anAbsoluteFormRequestTargetNamingAnotherHostIsNotProxiedThere() throws IOException {
        String body = chat(MODEL);
        for (String target : List.of("http://127.0.0.1:" + attacker.getLocalPort() + "/v1/chat/completions",
                "http://127.0.0.1:" + attacker.getLocalPort() + "/v1/models")) {
            try (RawHttpConnection connection = RawHttpConnection.open(sidecar)) {
                RawHttpConnection.Answer answer = connection.send(target.endsWith("models") ? "GET" : "POST", target,
                        Map.of("Content-Type", "application/json"), target.endsWith("models") ? null : body);
                // HTTP/1.1 lets a server take the absolute form as its own path: answered here, or refused.
                assertTrue(answer.status() == 200 || answer.status() >= 400 && answer.status() < 500, target + ": " + answer.status());
            }
        }
    }

    @Test
    void adminLoadsAndUnloadsNamingAUrlReachNoOtherHost() {
        String url = attackerUrl();
        String encoded = URLEncoder.encode(url, StandardCharsets.UTF_8);
        for (String host : List.of(url, "127.0.0.1:" + attacker.getLocalPort(), "../" + url)) {
            for (String model : List.of(MODEL, url)) {
                for (String action : List.of("load", "unload")) {
                    Response response = given().queryParam("host", host).when()
                            .post("/admin/models/" + (model.equals(MODEL) ? MODEL : encoded) + "/" + action);
                    int status = response.statusCode();
                    assertTrue(status >= 400 && status < 500, action + " " + model + " host " + host + ": " + status + " "
                            + response.asString());
                }
            }
        }
        Response refresh = given().queryParam("host", url).queryParam("base_url", url).when().post("/admin/models/refresh");
        assertTrue(refresh.statusCode() == 200 || refresh.statusCode() >= 400 && refresh.statusCode() < 500, refresh.asString());
    }

    private String rawExchange(String request) throws IOException {
        try (Socket socket = new Socket(sidecar.getHost(), sidecar.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
