package dev.lmstudiosidecar.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CachedAnswerCodecTest {

    private static final CachedAnswer ANSWER = new CachedAnswer("qwen/qwen3-8b-ünïcode", CachedAnswer.Kind.STREAM,
            "data: {\"x\":1}\n\ndata: [DONE]\n\n".getBytes(StandardCharsets.UTF_8), 1_700_000_000_123L, 742);

    @Test
    void roundTripKeepsEveryField() {
        CachedAnswer back = CachedAnswerCodec.decode(CachedAnswerCodec.encode(ANSWER)).orElseThrow();

        assertEquals(ANSWER.model(), back.model());
        assertEquals(ANSWER.kind(), back.kind());
        assertArrayEquals(ANSWER.body(), back.body());
        assertEquals(ANSWER.createdEpochMillis(), back.createdEpochMillis());
        assertEquals(ANSWER.generationMillis(), back.generationMillis());
    }

    @Test
    void roundTripKeepsAnEmptyBody() {
        CachedAnswer empty = new CachedAnswer("m", CachedAnswer.Kind.PLAIN, new byte[0], 1, 0);
        assertEquals(0, CachedAnswerCodec.decode(CachedAnswerCodec.encode(empty)).orElseThrow().body().length);
    }

    @Test
    void anyFlippedByteDecodesAsEmpty() {
        byte[] bytes = CachedAnswerCodec.encode(ANSWER);
        for (int i = 0; i < bytes.length; i++) {
            byte[] flipped = bytes.clone();
            flipped[i] ^= 0x01;
            assertTrue(CachedAnswerCodec.decode(flipped).isEmpty(), "byte " + i + " flipped was decoded");
        }
    }

    @Test
    void aTruncatedOrLengthenedArrayDecodesAsEmpty() {
        byte[] bytes = CachedAnswerCodec.encode(ANSWER);
        for (int length = 0; length < bytes.length; length++) {
            assertTrue(CachedAnswerCodec.decode(Arrays.copyOf(bytes, length)).isEmpty(), "truncated to " + length);
        }
        assertTrue(CachedAnswerCodec.decode(Arrays.copyOf(bytes, bytes.length + 1)).isEmpty());
        assertTrue(CachedAnswerCodec.decode(null).isEmpty());
    }

    @Test
    void aWrongMagicOrVersionDecodesAsEmptyEvenWithAValidCrc() {
        assertTrue(CachedAnswerCodec.decode(withCrc(CachedAnswerCodec.encode(ANSWER), 0, (byte) 'X')).isEmpty());
        assertTrue(CachedAnswerCodec.decode(withCrc(CachedAnswerCodec.encode(ANSWER), 4, (byte) 2)).isEmpty());
        assertTrue(CachedAnswerCodec.decode(withCrc(CachedAnswerCodec.encode(ANSWER), 5, (byte) 7)).isEmpty(), "unknown kind");
    }

    @Test
    void garbageDecodesAsEmpty() {
        byte[] garbage = new byte[4096];
        new java.util.Random(12).nextBytes(garbage);
        assertTrue(CachedAnswerCodec.decode(garbage).isEmpty());
    }

    /** {@code bytes} with one byte changed and the CRC made right again: only the field checks can refuse it. */
    private static byte[] withCrc(byte[] bytes, int at, byte value) {
        bytes[at] = value;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        java.nio.ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
        return bytes;
    }
}
