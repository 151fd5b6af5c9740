package dev.lmstudiosidecar.api;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

/** A buffer's bytes where they lie: no copy when the buffer is on the heap, as Vert.x's are. */
record BufferBytes(byte[] array, int offset, int length) {

    static BufferBytes of(Buffer buffer) {
        ByteBuf bytes = buffer.getByteBuf();
        return bytes.hasArray()
                ? new BufferBytes(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes())
                : new BufferBytes(buffer.getBytes(), 0, buffer.length());
    }
}
