package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.Shape;
import dev.lmstudiosidecar.testsupport.Eventually;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Requests an app's SDK rarely sends, but a proxy meets: each gets a proper answer, never a hang. */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class UnusualRequestsTest extends EmulatedLmStudioTest {

    private static final String CHAT_BODY = ChatRequests.body("qwen2.5-7b-instruct", false);

    @TestHTTPResource("/")
    URL sidecar;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private URI uri(String path) {
        return URI.create(sidecar.toString().replaceAll("/+$", "") + path);
    }

    @Test
    void anExpect100ContinueUploadIsAnsweredWithoutDelay() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri("/v1/chat/completions")).expectContinue(true)
                .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT_BODY)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(null, emulator.lastRequest("/v1/chat/completions").header("Expect"), "Expect is hop-by-hop");
    }

    @Test
    void aChunkedUploadOverTheLimitIs413() throws Exception {
        byte[] huge = new byte[9 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        HttpRequest request = HttpRequest.newBuilder(uri("/v1/chat/completions")).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                // a stream publisher has no length: the body goes chunked
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge))).build();
        // the refused upload is drained, so a client that writes it all first still reads the 413
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(413, response.statusCode(), response.body());
        assertTrue(response.body().contains("request_too_large"));
        assertEquals(0, emulator.requestCount("/v1/chat/completions"));
    }

    @Test
    void headIsPassedThroughWithoutABody() {
        given().when().head("/v1/models").then().statusCode(200);
    }

    @Test
    void connectAndTraceAre405() throws Exception {
        assertEquals(405, status(rawRequest("TRACE /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")));
        given().when().request("CONNECT", "/v1/models").then().statusCode(405)
                .body("error.code", equalTo("method_not_allowed"));
    }

    @Test
    void aPathWithDotSegmentsIsValidatedAsTheRouteItNames() throws Exception {
        String answer = rawRequest("POST /v1/models/../chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
        assertEquals(400, status(answer), answer);
        assertTrue(answer.contains("'messages' is required"), answer);
    }

    @Test
    void routesOutsideV1AreOpenAiErrorsToo() {
        given().when().get("/").then().statusCode(404).contentType(ContentType.JSON)
                .body("error.code", equalTo("unknown_endpoint"));
        given().when().get("/v2/models").then().statusCode(404).contentType(ContentType.JSON)
                .body("error.message", org.hamcrest.Matchers.containsString("/v1"));
    }

    @Test
    void aClientThatLeavesDuringAJitLoadStopsTheRequestUpstream() throws Exception {
        emulator.shape(Shape.LMSTUDIO_0_3); // no load API: LM Studio's JIT loads the model, not the sidecar
        emulator.loadDelay(Duration.ofSeconds(3));
        HttpRequest request = HttpRequest.newBuilder(uri("/v1/chat/completions")).timeout(Duration.ofMillis(500))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT_BODY.replace("qwen2.5-7b-instruct", "phi-3-mini"))).build();
        try {
            http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.net.http.HttpTimeoutException expected) {
            // the app gave up while LM Studio was still loading the model
        }
        Eventually.await("LM Studio sees the request go", Duration.ofSeconds(5),
                () -> emulator.abortedGenerations() == 1 && emulator.activeGenerations() == 0);
        assertEquals(0, emulator.completedGenerations());
    }

    @Test
    void aBodyThatNeverArrivesWholeIs408AndTheConnectionCloses() throws Exception {
        long started = System.nanoTime();
        String answer = rawRequest("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n{\"model\":");
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(408, status(answer), answer);
        assertTrue(answer.contains("sidecar.request-body-timeout"), answer);
        assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), answer);
        assertTrue(tookMillis < 4_000, "answered after the 1 s test bound, not never: " + tookMillis + " ms");
        assertEquals(0, emulator.requestCount("/v1/chat/completions"));
    }

    private String rawRequest(String request) throws Exception {
        try (Socket socket = new Socket(sidecar.getHost(), sidecar.getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            int read = in.read(buffer);
            StringBuilder answer = new StringBuilder(new String(buffer, 0, Math.max(0, read), StandardCharsets.UTF_8));
            while (!answer.toString().contains("}}") && (read = in.read(buffer)) > 0) {
                answer.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
            }
            return answer.toString();
        }
    }

    private static int status(String answer) {
        return Integer.parseInt(answer.substring(9, 12));
    }
}
