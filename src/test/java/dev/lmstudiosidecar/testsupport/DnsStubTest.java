package dev.lmstudiosidecar.testsupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.fleet.DnsServerAddressResolver;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stub answers as a DNS server would, to Vert.x's client and byte for byte. */
class DnsStubTest {

    private DnsStub stub;
    private Vertx vertx;
    private DnsServerAddressResolver resolver;

    @BeforeEach
    void start() {
        stub = DnsStub.start();
        vertx = Vertx.vertx();
        resolver = new DnsServerAddressResolver(vertx, stub.host(), stub.port(), Duration.ofMillis(300));
    }

    @AfterEach
    void stop() throws Exception {
        stub.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aNameAnswersTheAddressesSetSortedOnceEachWithItsIpv6Ones() {
        stub.set("lmstudio.test", List.of("127.0.0.10", "127.0.0.2", "127.0.0.2", "::1"));

        assertEquals(List.of("127.0.0.2", "127.0.0.10", "::1"), Upstream.answer(resolver.resolve("lmstudio.test")));
        assertEquals(2, stub.queries("lmstudio.test"), "one A and one AAAA query");
    }

    @Test
    void namesMatchWithoutRegardToCaseOrAFinalDot() {
        stub.set("LMStudio.Test.", List.of("127.0.0.2"));

        assertEquals(List.of("127.0.0.2"), Upstream.answer(resolver.resolve("lmstudio.TEST.")));
    }

    @Test
    void aClearedNameExistsWithoutRecords() {
        stub.set("lmstudio.test", List.of("127.0.0.2"));
        stub.clear("lmstudio.test");

        assertEquals(List.of(), Upstream.answer(resolver.resolve("lmstudio.test")));
    }

    @Test
    void anUnknownOrRemovedNameIsNxdomain() {
        stub.set("lmstudio.test", List.of("127.0.0.2"));
        stub.remove("lmstudio.test");

        Throwable unknown = Upstream.cause(resolver.resolve("lmstudio.test"));

        assertInstanceOf(UnknownHostException.class, unknown);
        assertTrue(unknown.getMessage().contains("lmstudio.test: no such name at DNS server 127.0.0.1:" + stub.port()), unknown.getMessage());
    }

    @Test
    void aSilentStubCountsQueriesAndLetsThemTimeOut() {
        stub.set("lmstudio.test", List.of("127.0.0.2"));
        stub.silent(true);

        Throwable timedOut = Upstream.cause(resolver.resolve("lmstudio.test"));

        assertInstanceOf(TimeoutException.class, timedOut);
        assertTrue(timedOut.getMessage().contains("within 300 ms"), timedOut.getMessage());
        assertEquals(2, stub.queries("lmstudio.test"));
    }

    @Test
    void theResponseEchoesIdAndQuestionWithAuthoritativeFlagsAndTtlZero() throws Exception {
        stub.set("a.test", List.of("127.0.0.2"));
        byte[] question = question("a.test", 1);

        ByteBuffer response = ByteBuffer.wrap(exchange(query((short) 0x1234, 0x0100, 1, question)));

        assertEquals(0x1234, response.getShort(0));
        assertEquals(0x8000 | 0x0400 | 0x0100 | 0x0080, response.getShort(2) & 0xFFFF, "QR, AA, RD echoed, RA, NOERROR");
        assertEquals(1, response.getShort(4), "one question");
        assertEquals(1, response.getShort(6), "one answer");
        assertArrayEquals(question, Arrays.copyOfRange(response.array(), 12, 12 + question.length));
        int answer = 12 + question.length;
        assertEquals((short) 0xC00C, response.getShort(answer), "the answer names the question's name");
        assertEquals(1, response.getShort(answer + 2), "type A");
        assertEquals(1, response.getShort(answer + 4), "class IN");
        assertEquals(0, response.getInt(answer + 6), "TTL 0");
        assertEquals(4, response.getShort(answer + 10));
        assertArrayEquals(new byte[] {127, 0, 0, 2}, Arrays.copyOfRange(response.array(), answer + 12, answer + 16));
        assertEquals(answer + 16, response.limit());
    }

    @Test
    void malformedQueriesAreFormatErrorsAndOtherOpcodesNotImplemented() throws Exception {
        byte[] pointer = {(byte) 0xC0, 12, 0, 1, 0, 1}; // a compression pointer has no place in a lone question
        ByteBuffer formatError = ByteBuffer.wrap(exchange(query((short) 7, 0, 1, pointer)));
        assertEquals(7, formatError.getShort(0));
        assertEquals(1, formatError.getShort(2) & 0xF, "FORMERR");
        assertEquals(0, formatError.getShort(4), "no question echoed");

        ByteBuffer twoQuestions = ByteBuffer.wrap(exchange(query((short) 8, 0, 2, question("a.test", 1))));
        assertEquals(1, twoQuestions.getShort(2) & 0xF, "FORMERR");

        ByteBuffer status = ByteBuffer.wrap(exchange(query((short) 9, 2 << 11, 1, question("a.test", 1))));
        assertEquals(4, status.getShort(2) & 0xF, "NOTIMP");
    }

    @Test
    void responsesAndRuntMessagesGetNoAnswer() throws Exception {
        assertThrows(SocketTimeoutException.class, () -> exchange(new byte[5]));
        assertThrows(SocketTimeoutException.class, () -> exchange(query((short) 1, 0x8000, 1, question("a.test", 1))));
    }

    private static byte[] question(String name, int type) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String label : name.split("\\.")) {
            out.write(label.length());
            out.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        out.write(0);
        out.writeBytes(new byte[] {0, (byte) type, 0, 1});
        return out.toByteArray();
    }

    private static byte[] query(short id, int flags, int questions, byte[] question) {
        return ByteBuffer.allocate(12 + question.length).putShort(id).putShort((short) flags).putShort((short) questions)
                .putShort((short) 0).putShort((short) 0).putShort((short) 0).put(question).array();
    }

    private byte[] exchange(byte[] message) throws Exception {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(300);
            socket.send(new DatagramPacket(message, message.length, InetAddress.getByName(stub.host()), stub.port()));
            DatagramPacket packet = new DatagramPacket(new byte[512], 512);
            socket.receive(packet);
            return Arrays.copyOf(packet.getData(), packet.getLength());
        }
    }
}
