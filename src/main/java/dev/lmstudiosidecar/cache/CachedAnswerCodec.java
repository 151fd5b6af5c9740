package dev.lmstudiosidecar.cache;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * A {@link CachedAnswer} as the bytes the tiers store. Written by hand, not by Java serialization or a
 * reflective mapper, so that it works unchanged in a native image and so that a file damaged on disk is
 * recognised rather than served: anything that is not exactly what {@link #encode} wrote decodes as empty.
 *
 * <pre>
 * int   magic 0x4C4D5341 ("LMSA")
 * byte  format version (1)
 * byte  kind (0 PLAIN, 1 STREAM)
 * long  createdEpochMillis
 * long  generationMillis
 * int   model length, then the model in UTF-8
 * int   body length, then the body
 * int   CRC32 of every byte before it
 * </pre>
 * Big-endian throughout. A new layout gets a new version; old versions then decode as empty (a miss), which
 * is all a cache owes them.
 */
public final class CachedAnswerCodec {

    static final int MAGIC = 0x4C4D5341;
    static final byte VERSION = 1;

    /** Magic, version, kind, two longs, two lengths, the CRC. */
    private static final int FIXED_BYTES = 4 + 1 + 1 + 8 + 8 + 4 + 4 + 4;

    private static final CachedAnswer.Kind[] KINDS = CachedAnswer.Kind.values();

    private CachedAnswerCodec() {
    }

    public static byte[] encode(CachedAnswer answer) {
        byte[] model = answer.model().getBytes(StandardCharsets.UTF_8);
        byte[] body = answer.body();
        ByteBuffer out = ByteBuffer.allocate(FIXED_BYTES + model.length + body.length);
        out.putInt(MAGIC)
                .put(VERSION)
                .put((byte) answer.kind().ordinal())
                .putLong(answer.createdEpochMillis())
                .putLong(answer.generationMillis())
                .putInt(model.length).put(model)
                .putInt(body.length).put(body);
        out.putInt(crc(out.array(), out.position()));
        return out.array();
    }

    /** The answer in {@code bytes}, or empty when they are not one this version wrote whole and unchanged. */
    public static Optional<CachedAnswer> decode(byte[] bytes) {
        if (bytes == null || bytes.length < FIXED_BYTES) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        // The CRC first: after it holds, the lengths inside can be trusted as far as the checks below need.
        int crcAt = bytes.length - 4;
        if (in.getInt(crcAt) != crc(bytes, crcAt) || in.getInt() != MAGIC || in.get() != VERSION) {
            return Optional.empty();
        }
        try {
            int kindIndex = in.get();
            if (kindIndex < 0 || kindIndex >= KINDS.length) {
                return Optional.empty();
            }
            long created = in.getLong();
            long generation = in.getLong();
            byte[] model = readBlock(in, crcAt);
            byte[] body = readBlock(in, crcAt);
            if (model == null || body == null || in.position() != crcAt) {
                return Optional.empty();
            }
            return Optional.of(new CachedAnswer(new String(model, StandardCharsets.UTF_8), KINDS[kindIndex], body, created,
                    generation));
        } catch (BufferUnderflowException e) {
            return Optional.empty();
        }
    }

    /** A length-prefixed block that ends before {@code limit}, or null. */
    private static byte[] readBlock(ByteBuffer in, int limit) {
        int length = in.getInt();
        if (length < 0 || length > limit - in.position()) {
            return null;
        }
        byte[] block = new byte[length];
        in.get(block);
        return block;
    }

    private static int crc(byte[] bytes, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }
}
