package dev.lmstudiosidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.Eventually;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading must slow LM Studio down rather than make the sidecar buffer the
 * answer: the sidecar pauses its upstream read, TCP fills up, and the generation waits.
 */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
class StreamBackpressureTest extends EmulatedLmStudioTest {

    /** Far more SSE bytes than socket buffers on both hops can hold (about 30 MB). */
    private static final int TOKENS = 200_000;

    @TestHTTPResource("/")
    URL sidecar;

    @Test
    void aClientThatStopsReadingHoldsTheGenerationBack() throws Exception {
        emulator.tokensPerResponse(TOKENS);
        long readingClientNanos = timeAWholeStreamReadByAClient();
        emulator.reset();
        emulator.tokensPerResponse(TOKENS);
        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(4096); // before connecting, so the TCP window stays small
            client.connect(new InetSocketAddress(sidecar.getHost(), sidecar.getPort()));
            sendStreamingChat(client.getOutputStream(), false);
            InputStream in = client.getInputStream();
            in.readNBytes(512); // the stream has started; from here on the client reads nothing
            Eventually.await("the generation is under way", Duration.ofSeconds(5), () -> emulator.activeGenerations() == 1);
            // Twice what the whole stream took for a reading client: without backpressure the
            // emulator would be done by then, however fast or slow this machine is today.
            Thread.sleep(Math.max(1000, 2 * readingClientNanos / 1_000_000));
            assertEquals(0, emulator.completedGenerations(), "LM Studio must not be able to finish for a client that does not read");
            assertEquals(1, emulator.activeGenerations());
        }
        Eventually.await("the abandoned generation is stopped", Duration.ofSeconds(5), () -> emulator.abortedGenerations() == 1);
    }

    private long timeAWholeStreamReadByAClient() throws Exception {
        long start = System.nanoTime();
        try (Socket client = new Socket(sidecar.getHost(), sidecar.getPort())) {
            sendStreamingChat(client.getOutputStream(), true);
            byte[] all = client.getInputStream().readAllBytes();
            assertTrue(new String(all, all.length - 200, 200, StandardCharsets.US_ASCII).contains("[DONE]"));
        }
        assertEquals(1, emulator.completedGenerations());
        return System.nanoTime() - start;
    }

    private static void sendStreamingChat(OutputStream out, boolean closeAfter) throws Exception {
        byte[] body = "{\"model\":\"qwen2.5-7b-instruct\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"
                .getBytes(StandardCharsets.UTF_8);
        String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + (closeAfter ? "Connection: close\r\n" : "") + "Content-Length: " + body.length + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }
}
