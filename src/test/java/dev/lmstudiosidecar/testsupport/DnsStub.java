package dev.lmstudiosidecar.testsupport;

import io.netty.util.NetUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny authoritative DNS server over UDP on 127.0.0.1 (a random port), for tests of host discovery: it
 * answers A and AAAA queries (RFC 1035, section 4) from records the test sets, with a TTL of 0 so that no
 * cache keeps them. A name {@linkplain #set set} answers its addresses; one {@linkplain #clear cleared}
 * exists without records (NOERROR, no answer: a headless Service without ready pods); any other name is
 * NXDOMAIN. {@link #silent(boolean)} makes it drop queries, as a DNS server that stopped answering.
 * Names match without regard to case or a final dot.
 */
public final class DnsStub implements AutoCloseable {

    private static final int HEADER_BYTES = 12;
    private static final int MAX_UDP_BYTES = 512;
    private static final int TYPE_A = 1;
    private static final int TYPE_AAAA = 28;
    private static final int TYPE_ANY = 255;
    private static final int CLASS_IN = 1;
    private static final int CLASS_ANY = 255;
    private static final int FORMERR = 1;
    private static final int NXDOMAIN = 3;
    private static final int NOTIMP = 4;
    private static final int REFUSED = 5;

    private final DatagramSocket socket;
    private final Map<String, List<byte[]>> records = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> queries = new ConcurrentHashMap<>();
    private volatile boolean silent;

    private DnsStub() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread serving = new Thread(this::serve, "dns-stub-" + socket.getLocalPort());
        serving.setDaemon(true);
        serving.start();
    }

    public static DnsStub start() {
        try {
            return new DnsStub();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the DNS stub's socket", e);
        }
    }

    public String host() {
        return socket.getLocalAddress().getHostAddress();
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** {@code name} answers these addresses (IP literals; IPv4 as A, IPv6 as AAAA records) from now on. */
    public void set(String name, List<String> addresses) {
        List<byte[]> parsed = new ArrayList<>();
        for (String address : addresses) {
            byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
            if (bytes == null) {
                throw new IllegalArgumentException("not an IP address: " + address);
            }
            parsed.add(bytes);
        }
        records.put(key(name), List.copyOf(parsed));
    }

    /** {@code name} exists but has no records (NOERROR, no answer). */
    public void clear(String name) {
        set(name, List.of());
    }

    /** {@code name} no longer exists (NXDOMAIN). */
    public void remove(String name) {
        records.remove(key(name));
    }

    /** True: queries are counted but not answered, so clients time out. */
    public void silent(boolean silent) {
        this.silent = silent;
    }

    /** Queries received for {@code name}, of any type (a resolver asks for A and AAAA: two per lookup). */
    public int queries(String name) {
        AtomicInteger count = queries.get(key(name));
        return count == null ? 0 : count.get();
    }

    @Override
    public void close() {
        socket.close();
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                byte[] answer = answer(ByteBuffer.wrap(packet.getData(), 0, packet.getLength()).slice());
                if (answer != null) {
                    socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
                }
            } catch (IOException closedOrUnreachable) {
                // closed: the loop ends; a client gone: nothing to do
            }
        }
    }

    /** The response to one message, or null for none (not a query, too short, or silent). */
    private byte[] answer(ByteBuffer query) {
        if (query.remaining() < HEADER_BYTES) {
            return null;
        }
        short id = query.getShort(0);
        int flags = query.getShort(2) & 0xFFFF;
        if ((flags & 0x8000) != 0) {
            return null; // a response: never answer one
        }
        int opcode = (flags >> 11) & 0xF;
        int recursionDesired = flags & 0x0100;
        if (opcode != 0) {
            return header(id, recursionDesired, NOTIMP, 0, 0).array();
        }
        if ((query.getShort(4) & 0xFFFF) != 1) {
            return header(id, recursionDesired, FORMERR, 0, 0).array();
        }
        Question question = Question.read(query);
        if (question == null) {
            return header(id, recursionDesired, FORMERR, 0, 0).array();
        }
        queries.computeIfAbsent(question.name(), n -> new AtomicInteger()).incrementAndGet();
        if (silent) {
            return null;
        }
        List<byte[]> known = records.get(question.name());
        int rcode = question.qclass() != CLASS_IN && question.qclass() != CLASS_ANY ? REFUSED : known == null ? NXDOMAIN : 0;
        List<byte[]> answers = new ArrayList<>();
        if (rcode == 0) {
            for (byte[] address : known) {
                int type = address.length == 4 ? TYPE_A : TYPE_AAAA;
                if (question.qtype() == type || question.qtype() == TYPE_ANY) {
                    answers.add(address);
                }
            }
        }
        return response(id, recursionDesired, rcode, question, answers);
    }

    private static byte[] response(short id, int recursionDesired, int rcode, Question question, List<byte[]> answers) {
        // Each answer: a pointer to the question's name (offset 12), type, class, TTL 0, length, address.
        int fitting = 0;
        int size = HEADER_BYTES + question.bytes().length;
        for (byte[] address : answers) {
            if (size + 12 + address.length > MAX_UDP_BYTES) {
                break;
            }
            size += 12 + address.length;
            fitting++;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(header(id, recursionDesired | (fitting < answers.size() ? 0x0200 : 0), rcode, 1, fitting).array());
        out.put(question.bytes());
        for (byte[] address : answers.subList(0, fitting)) {
            out.putShort((short) 0xC00C)
                    .putShort((short) (address.length == 4 ? TYPE_A : TYPE_AAAA))
                    .putShort((short) CLASS_IN)
                    .putInt(0)
                    .putShort((short) address.length)
                    .put(address);
        }
        return out.array();
    }

    /** A response header: QR, AA and RA set, opcode QUERY, {@code extraFlags} (RD copied, TC) added. */
    private static ByteBuffer header(short id, int extraFlags, int rcode, int questions, int answers) {
        return ByteBuffer.allocate(HEADER_BYTES)
                .putShort(id)
                .putShort((short) (0x8000 | 0x0400 | 0x0080 | extraFlags | rcode))
                .putShort((short) questions)
                .putShort((short) answers)
                .putShort((short) 0)
                .putShort((short) 0);
    }

    private static String key(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** The question section: its name (the key form), type, class, and its bytes as received, for the echo. */
    private record Question(String name, int qtype, int qclass, byte[] bytes) {

        /** The question after the header, or null when it is malformed (a compression pointer, a label past the end). */
        static Question read(ByteBuffer message) {
            StringBuilder name = new StringBuilder();
            int at = HEADER_BYTES;
            while (true) {
                if (at >= message.limit()) {
                    return null;
                }
                int length = message.get(at) & 0xFF;
                at++;
                if (length == 0) {
                    break;
                }
                if ((length & 0xC0) != 0 || at + length > message.limit() || name.length() + length + 1 > 255) {
                    return null;
                }
                byte[] label = new byte[length];
                message.get(at, label);
                name.append(name.length() == 0 ? "" : ".").append(new String(label, StandardCharsets.ISO_8859_1));
                at += length;
            }
            if (at + 4 > message.limit()) {
                return null;
            }
            int qtype = message.getShort(at) & 0xFFFF;
            int qclass = message.getShort(at + 2) & 0xFFFF;
            byte[] bytes = new byte[at + 4 - HEADER_BYTES];
            message.get(HEADER_BYTES, bytes);
            return new Question(key(name.toString()), qtype, qclass, bytes);
        }
    }
}
