package dev.lmstudiosidecar.api;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the request-body bytes held by all requests at once, so a few large uploads cannot take
 * the sidecar's small heap: beyond the budget a request is shed with 429 instead of an
 * OutOfMemoryError for everybody.
 */
final class RequestBodyBudget {

    private final long capacity;
    private final AtomicLong used = new AtomicLong();

    RequestBodyBudget(long capacity) {
        this.capacity = capacity;
    }

    long capacity() {
        return capacity;
    }

    /** Bytes of request bodies held now by all requests: back to 0 whenever no request is being read or sent. */
    long used() {
        return used.get();
    }

    /** One request's share; {@link #close()} gives all of it back. */
    Reservation open() {
        return new Reservation();
    }

    /** Used on the request's event loop only. */
    final class Reservation implements AutoCloseable {
        private long held;
        private boolean closed;

        /** False beyond the budget, and after {@link #close()}: a closed share would never be given back. */
        boolean reserve(long bytes) {
            if (closed) {
                return false;
            }
            long now = used.addAndGet(bytes);
            if (now > capacity) {
                used.addAndGet(-bytes);
                return false;
            }
            held += bytes;
            return true;
        }

        @Override
        public void close() {
            closed = true;
            used.addAndGet(-held);
            held = 0;
        }
    }
}
