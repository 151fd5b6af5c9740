package dev.lmstudiosidecar.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request on a connection of its own ({@code Connection: close}), its answer read until the server
 * closes, a chunked body decoded: nothing pooled, so a test can count the sidecar's connections afterwards, and
 * nothing hidden, so a cut answer shows as cut. The body can also be sent a byte at a time (a slow-loris client).
 */
public final class OneShotHttp {

    /**
     * @param status  0 when the connection closed before a status line
     * @param headers by lower-cased name
     * @param cut     the connection ended before the body its framing announced was complete
     */
    public record Answer(int status, Map<String, String> headers, String body, boolean cut) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private OneShotHttp() {
    }

    /** Sends {@code body} whole and reads the answer, failing with a timeout after {@code patience}. */
    public static Answer post(URL base, String path, String body, Duration patience) throws IOException {
        return post(base, path, body, patience, Duration.ZERO);
    }

    /**
     * @param byteGap zero: the body at once; else one byte of it every this long, until the server answers or closes
     */
    public static Answer post(URL base, String path, String body, Duration patience, Duration byteGap) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 2000);
            socket.setSoTimeout((int) patience.toMillis());
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(head(path, bytes.length).getBytes(StandardCharsets.US_ASCII));
            if (byteGap.isZero()) {
                out.write(bytes);
                out.flush();
            } else {
                trickle(out, bytes, byteGap);
            }
            return read(socket.getInputStream());
        }
    }

    /** The head of a JSON POST of {@code length} bytes on a connection that closes after its answer. */
    public static String head(String path, int length) {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + "Content-Length: " + length + "\r\n\r\n";
    }

    /** Writes one byte every {@code gap} on a thread of its own, which stops at the first failed write. */
    private static void trickle(OutputStream out, byte[] bytes, Duration gap) {
        Thread writer = new Thread(() -> {
            try {
                for (byte b : bytes) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(gap.toMillis());
                }
            } catch (IOException | InterruptedException serverClosed) {
                // the server gave up on the body: what the slow-loris test waits for
            }
        }, "slow-loris-writer");
        writer.setDaemon(true);
        writer.start();
    }

    private static Answer read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null || statusLine.length() < 12) {
            return new Answer(0, Map.of(), "", true);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean cut;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            cut = !readChunks(in, body);
        } else if (headers.containsKey("content-length")) {
            long length = Long.parseLong(headers.get("content-length"));
            byte[] bytes = in.readNBytes((int) length);
            body.write(bytes);
            cut = bytes.length < length;
        } else {
            body.write(in.readAllBytes());
            cut = false;
        }
        return new Answer(status, headers, body.toString(StandardCharsets.UTF_8), cut);
    }

    /** @return whether the terminating chunk arrived */
    private static boolean readChunks(InputStream in, ByteArrayOutputStream body) throws IOException {
        while (true) {
            String size = line(in);
            if (size == null) {
                return false;
            }
            int length = Integer.parseInt(size.split(";", 2)[0].trim(), 16);
            if (length == 0) {
                return true;
            }
            byte[] chunk = in.readNBytes(length);
            body.write(chunk);
            if (chunk.length < length || line(in) == null) {
                return false;
            }
        }
    }

    /** One CRLF-terminated line without its CRLF; null at the end of the stream (or on a reset). */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            for (int b = in.read(); b != -1; b = in.read()) {
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.US_ASCII);
                    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                }
                line.write(b);
            }
        } catch (java.net.SocketException reset) {
            // a reset ends the answer like a close does
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
    }
}
