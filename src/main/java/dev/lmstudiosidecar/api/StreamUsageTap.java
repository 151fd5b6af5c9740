package dev.lmstudiosidecar.api;

import dev.lmstudiosidecar.metrics.RequestObservation;
import dev.lmstudiosidecar.metrics.UsageReader;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.jboss.logging.Logger;

/**
 * Reads the token usage of a stream as it passes, for the metrics, and takes out the usage-only
 * chunk ({@code "choices":[]} with {@code usage}) when the sidecar asked for it on behalf of a
 * client that did not: that client gets exactly the events it asked for.
 *
 * <p>Bytes are relayed as they came, never re-framed. Only what taking the chunk out needs is
 * held: while it may have to go, the start of an event whose blank line has not arrived yet
 * waits for the rest (SSE clients act on whole events only, so the client sees no difference).
 * A client that asked for usage gets every byte at once; the tap only reads along. Events are
 * found by their blank line ({@code \n\n} or {@code \r\n\r\n}), and only an event holding the
 * bytes {@code "usage"} is parsed. A stream it cannot read (an event larger than
 * {@link #MAX_CARRIED_BYTES} without its blank line, or a fault in the reading) goes on as sent,
 * unread: the metrics never cost the client a byte. Not thread-safe: one stream, one event loop.
 */
final class StreamUsageTap {

    private static final Logger LOG = Logger.getLogger(StreamUsageTap.class);
    private static final byte[] USAGE = "\"usage\"".getBytes(StandardCharsets.US_ASCII);
    /** A chat chunk is a few hundred bytes; an event this long without its end is not one to read. */
    static final int MAX_CARRIED_BYTES = 64 * 1024;

    private final UsageReader reader;
    private final RequestObservation observation;
    private final boolean dropUsageChunk;
    /** The start of an event whose end has not arrived yet (held back from the client only when dropping), or null. */
    private Buffer carry;
    /** Set once the stream cannot be read: from then on every byte passes as it came. */
    private boolean passThrough;

    /** @param dropUsageChunk the client did not ask for usage: the chunk that carries it must not reach it */
    StreamUsageTap(UsageReader reader, RequestObservation observation, boolean dropUsageChunk) {
        this.reader = reader;
        this.observation = observation;
        this.dropUsageChunk = dropUsageChunk;
    }

    /** @return what to write to the client now (possibly empty): {@code chunk} itself unless an event is held or taken out */
    Buffer onChunk(Buffer chunk) {
        if (passThrough) {
            return chunk;
        }
        Buffer held = carry;
        try {
            return tap(chunk);
        } catch (RuntimeException fault) {
            LOG.warnf(fault, "Cannot read this stream's usage; it goes on as sent, and its tokens are not counted");
            return passThroughFrom(held, chunk);
        }
    }

    private Buffer tap(Buffer chunk) {
        // A new buffer when an event was carried over: the carried one stays as it was, should this fail.
        Buffer data = carry == null ? chunk : Buffer.buffer(carry.length() + chunk.length()).appendBuffer(carry).appendBuffer(chunk);
        int carried = carry == null ? 0 : carry.length();
        carry = null;
        ByteBuf bytes = data.getByteBuf();
        int length = data.length();
        Buffer kept = dropUsageChunk ? null : chunk;
        int keptUpTo = 0;
        int eventStart = 0;
        int lineStart = 0;
        for (int newline = bytes.indexOf(0, length, (byte) '\n'); newline >= 0; newline = bytes.indexOf(newline + 1, length, (byte) '\n')) {
            int lineEnd = newline > lineStart && data.getByte(newline - 1) == '\r' ? newline - 1 : newline;
            if (lineEnd == lineStart) { // a blank line ends the event
                if (usageOnlyEvent(data, eventStart, newline + 1) && dropUsageChunk) {
                    kept = append(kept, data, keptUpTo, eventStart);
                    keptUpTo = newline + 1;
                }
                eventStart = newline + 1;
            }
            lineStart = newline + 1;
        }
        if (length - eventStart > MAX_CARRIED_BYTES) {
            return passThroughFrom(null, dropUsageChunk ? append(kept, data, keptUpTo, length) : kept);
        }
        if (eventStart < length) {
            carry = data.getBuffer(eventStart, length); // a copy: the chunk's buffer may be reused
        }
        if (!dropUsageChunk) {
            return kept;
        }
        if (keptUpTo == 0) { // nothing taken out: the whole events as they are, without a copy
            return eventStart == length && carried == 0 ? chunk : data.slice(0, eventStart);
        }
        return append(kept, data, keptUpTo, eventStart);
    }

    /** Gives up reading: what the client has not had yet goes now, and the rest of the stream as it comes. */
    private Buffer passThroughFrom(Buffer held, Buffer chunk) {
        passThrough = true;
        carry = null;
        return dropUsageChunk && held != null ? Buffer.buffer(held.length() + chunk.length()).appendBuffer(held).appendBuffer(chunk) : chunk;
    }

    /** What is left when the stream ends: an event without its blank line, relayed as it is. */
    Buffer flush() {
        Buffer rest = dropUsageChunk ? carry : null;
        carry = null;
        return rest;
    }

    private static Buffer append(Buffer kept, Buffer data, int from, int to) {
        Buffer result = kept == null ? Buffer.buffer(Math.max(16, to - from)) : kept;
        return to > from ? result.appendBuffer(data, from, to - from) : result;
    }

    /** Reads an event that mentions usage; true when it is the usage-only chunk. */
    private boolean usageOnlyEvent(Buffer data, int from, int to) {
        if (!contains(data, from, to, USAGE)) {
            return false;
        }
        int brace = data.getByteBuf().indexOf(from, to, (byte) '{');
        if (brace < 0) {
            return false;
        }
        byte[] json = data.getBytes(brace, to);
        UsageReader.Usage usage = reader.read(json, 0, json.length);
        if (usage == null) {
            return false;
        }
        if (usage.hasTokens()) {
            observation.usage(usage.model(), usage.inputTokens(), usage.outputTokens());
        }
        return usage.usageOnly();
    }

    private static boolean contains(Buffer data, int from, int to, byte[] needle) {
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data.getByte(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
