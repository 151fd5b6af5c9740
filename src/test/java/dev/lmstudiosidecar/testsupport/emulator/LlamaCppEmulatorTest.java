package dev.lmstudiosidecar.testsupport.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.LlamaClose;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The llama-server shape over raw sockets: its routes, its error bodies and how it treats connections. */
class LlamaCppEmulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STREAMED_CHAT = "{\"model\":\"anything-at-all\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String NAMELESS_CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static LmStudioEmulator emulator;

    @BeforeAll
    static void startEmulator() {
        emulator = LmStudioEmulator.start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @BeforeEach
    void llamaServer() {
        emulator.reset();
        emulator.shape(Shape.LLAMA_CPP);
    }

    @Test
    void answersAnyModelNameAndNamesANamelessRequestGpt35Turbo() throws Exception {
        try (Socket socket = connect()) {
            String streamed = exchange(socket, "POST", "/v1/chat/completions", STREAMED_CHAT);
            assertTrue(streamed.startsWith("HTTP/1.1 200"), streamed);
            assertTrue(streamed.contains("\"model\":\"anything-at-all\""), streamed);
        }
        try (Socket socket = connect()) {
            String plain = exchange(socket, "POST", "/v1/chat/completions", NAMELESS_CHAT);
            assertEquals("gpt-3.5-turbo", body(plain).path("model").asText());
        }
    }

    @Test
    void hasNoLmStudioRoutesAndSaysFileNotFoundWithTheStatusAsANumericCode() throws Exception {
        try (Socket socket = connect()) {
            String answer = exchange(socket, "GET", "/api/v1/models", null);
            assertTrue(answer.startsWith("HTTP/1.1 404"), answer);
            JsonNode error = body(answer).path("error");
            assertEquals("File Not Found", error.path("message").asText());
            assertTrue(error.path("code").isNumber());
            assertEquals(404, error.path("code").asInt());
        }
    }

    @Test
    void advertisesKeepAliveYetClosesTheConnectionAfterAStreamedAnswer() throws Exception {
        try (Socket socket = connect()) {
            String answer = exchange(socket, "POST", "/v1/chat/completions", STREAMED_CHAT);
            assertTrue(answer.toLowerCase().contains("keep-alive: timeout=5, max=100"), answer);
            assertEquals(-1, socket.getInputStream().read(), "the server closes after the stream");
        }
    }

    @Test
    void keepsAPlainAnswersConnectionForTheNextRequest() throws Exception {
        try (Socket socket = connect()) {
            assertTrue(exchange(socket, "POST", "/v1/chat/completions", NAMELESS_CHAT).startsWith("HTTP/1.1 200"));
            assertTrue(exchange(socket, "POST", "/v1/chat/completions", NAMELESS_CHAT).startsWith("HTTP/1.1 200"));
        }
    }

    @Test
    void closesAStaleConnectionWhenTheNextRequestArrivesOnIt() throws Exception {
        emulator.llamaClose(LlamaClose.ON_NEXT_REQUEST);
        try (Socket socket = connect()) {
            assertTrue(exchange(socket, "POST", "/v1/chat/completions", STREAMED_CHAT).startsWith("HTTP/1.1 200"));
            String second = exchange(socket, "POST", "/v1/chat/completions", STREAMED_CHAT);
            assertEquals("", second, "no byte of an answer on the stale connection");
        }
        assertEquals(1, emulator.staleConnectionClosures());
    }

    @Test
    void aConnectionWaitsForAWorkerHeldByAnotherKeptAliveConnection() throws Exception {
        emulator.llamaHttpWorkers(1);
        try (Socket first = connect(); Socket second = connect()) {
            assertTrue(exchange(first, "POST", "/v1/chat/completions", NAMELESS_CHAT).startsWith("HTTP/1.1 200"));
            second.setSoTimeout(300);
            send(second, "POST", "/v1/chat/completions", NAMELESS_CHAT);
            assertFalse(answered(second), "the only worker is held by the first connection");
            first.close();
            second.setSoTimeout(5000);
            assertTrue(readAnswer(second.getInputStream()).startsWith("HTTP/1.1 200"), "served once the worker is free");
        }
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", emulator.port());
        socket.setSoTimeout(5000);
        return socket;
    }

    /** Sends one request and reads its whole answer; "" when the server closed the connection without one. */
    private static String exchange(Socket socket, String method, String path, String body) throws IOException {
        send(socket, method, path, body);
        return readAnswer(socket.getInputStream());
    }

    private static void send(Socket socket, String method, String path, String body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length + "\r\n\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    private static boolean answered(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() >= 0;
        } catch (SocketTimeoutException silent) {
            return false;
        }
    }

    /** Up to the end of a chunked body or of a Content-Length body, or to EOF. */
    private static String readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            seen.write(b);
            String text = seen.toString(StandardCharsets.UTF_8);
            int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd < 0) {
                continue;
            }
            if (text.toLowerCase().contains("transfer-encoding: chunked") ? text.endsWith("\r\n0\r\n\r\n")
                    : text.length() - headEnd - 4 >= contentLength(text)) {
                return text;
            }
        }
        return seen.toString(StandardCharsets.UTF_8);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                return Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return Integer.MAX_VALUE;
    }

    private static JsonNode body(String answer) throws IOException {
        return JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    }
}
