package dev.lmstudiosidecar.api;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Follows an SSE stream's bytes as they pass, to tell at its end whether it stopped in the middle
 * of an event: a field line (a {@code data:} line, whole or cut) that no blank line ended. An SSE
 * client drops such an event, so a stream that ends there was cut, not finished, even when its
 * connection closed cleanly.
 *
 * <p>A stream that ends after a whole event but without {@code [DONE]} is not called cut: not every
 * server is known to send {@code [DONE]}. An unended {@code data: [DONE]} line is taken as the end it
 * says it is. Lines end with {@code \n} or {@code \r\n}, as LM Studio, llama.cpp and OpenAI send
 * them. Not thread-safe: one stream, one event loop.
 */
final class SseEventEdge {

    private static final byte[] DONE_LINE = "data: [DONE]".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE_LINE_TIGHT = "data:[DONE]".getBytes(StandardCharsets.US_ASCII);

    /** Bytes of the current line so far, {@code \r} aside. */
    private int lineLength;
    /** The current line is a field (anything but a {@code :} comment). */
    private boolean fieldLine;
    /** The current line's first bytes, enough to recognise {@code data: [DONE]}. */
    private final byte[] lineStart = new byte[DONE_LINE.length + 1];
    private int lineStartLength;
    /** Field lines of the current event, begun or whole: an event with one is open until its blank line. */
    private int fieldLines;
    /** The last whole field line was {@code data: [DONE]}. */
    private boolean lastFieldDone;

    void onBytes(Buffer chunk) {
        for (int i = 0; i < chunk.length(); i++) {
            onByte(chunk.getByte(i));
        }
    }

    private void onByte(byte b) {
        if (b == '\n') {
            if (lineLength == 0) { // a blank line: the event is whole
                fieldLines = 0;
            } else if (fieldLine) {
                lastFieldDone = isDoneLine();
            }
            lineLength = 0;
            lineStartLength = 0;
            return;
        }
        if (b == '\r') {
            return;
        }
        if (lineLength == 0) {
            fieldLine = b != ':';
            if (fieldLine) {
                fieldLines++;
            }
        }
        lineLength++;
        if (fieldLine && lineStartLength < lineStart.length) {
            lineStart[lineStartLength++] = b;
        }
    }

    /** True when the bytes so far stop inside an event that is not the lone {@code [DONE]} line. */
    boolean endsMidEvent() {
        if (fieldLines == 0) {
            return false;
        }
        boolean inFieldLine = lineLength > 0 && fieldLine;
        return !(fieldLines == 1 && (inFieldLine ? isDoneLine() : lastFieldDone));
    }

    private boolean isDoneLine() {
        byte[] start = Arrays.copyOf(lineStart, lineStartLength);
        return Arrays.equals(start, DONE_LINE) || Arrays.equals(start, DONE_LINE_TIGHT);
    }
}
