package dev.lmstudiosidecar.cache;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Server-sent events as OpenAI-style streams use them: each event one or more {@code data:} lines
 * ended by a blank line, the stream ended by {@code data: [DONE]}.
 */
final class SseFrames {

    static final String DONE = "[DONE]";
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_OF_EVENT = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private SseFrames() {
    }

    /**
     * The data of each event, in order. Line ends may be {@code \n}, {@code \r\n} or {@code \r}; several
     * {@code data:} lines of one event are joined by {@code \n} (the SSE rule); comments ({@code :}) and
     * other fields ({@code event:}, {@code id:}) are ignored. A last event without its blank line is
     * included: whether it is whole is for the reader of its data to find out.
     */
    static List<String> dataOf(byte[] sse) {
        String text = new String(sse, StandardCharsets.UTF_8);
        List<String> events = new ArrayList<>();
        StringBuilder data = null;
        int at = 0;
        while (at <= text.length()) {
            int end = lineEnd(text, at);
            String line = text.substring(at, end);
            if (line.isEmpty()) {
                if (data != null) {
                    events.add(data.toString());
                    data = null;
                }
            } else if (line.startsWith("data:")) {
                String value = line.substring(line.startsWith("data: ") ? 6 : 5);
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
            if (end == text.length()) {
                break;
            }
            at = end + (text.startsWith("\r\n", end) ? 2 : 1);
        }
        if (data != null) {
            events.add(data.toString());
        }
        return events;
    }

    private static int lineEnd(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                return i;
            }
        }
        return text.length();
    }

    static void writeEvent(ByteArrayOutputStream out, byte[] data) {
        out.writeBytes(DATA);
        out.writeBytes(data);
        out.writeBytes(END_OF_EVENT);
    }

    static void writeDone(ByteArrayOutputStream out) {
        writeEvent(out, DONE.getBytes(StandardCharsets.US_ASCII));
    }
}
