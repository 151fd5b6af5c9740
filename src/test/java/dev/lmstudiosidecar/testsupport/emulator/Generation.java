package dev.lmstudiosidecar.testsupport.emulator;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One generation request from arrival to its end. Exactly one ending wins (the {@link #finished} flag),
 * so a client disconnect racing with completion or with {@code reset()} is counted once.
 * All methods except {@link #terminate()} run on the connection's event loop.
 */
final class Generation {

    enum Ending { COMPLETED, ABORTED, DROPPED, ANSWERED_WITHOUT_GENERATING, TERMINATED }

    private final Generations owner;
    private final Vertx vertx;
    final Context context;
    final HttpServerRequest request;
    final HttpServerResponse response;
    private final AtomicBoolean finished = new AtomicBoolean();
    private long timerId = -1;

    Generation(Generations owner, Vertx vertx, HttpServerRequest request) {
        this.owner = owner;
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.request = request;
        this.response = request.response();
        // A client that goes away mid-generation is what the sidecar must handle by resetting upstream.
        response.closeHandler(v -> end(Ending.ABORTED));
        response.exceptionHandler(e -> end(Ending.ABORTED));
    }

    boolean isOpen() {
        return !finished.get();
    }

    /** Runs {@code next} after {@code delayMs} unless the generation has ended meanwhile. */
    void after(long delayMs, Runnable next) {
        if (delayMs <= 0) {
            next.run();
            return;
        }
        timerId = vertx.setTimer(delayMs, id -> {
            timerId = -1;
            if (isOpen()) {
                next.run();
            }
        });
    }

    /** Claims the ending; the caller then writes the final bytes. False when it already ended. */
    boolean end(Ending ending) {
        if (!finished.compareAndSet(false, true)) {
            return false;
        }
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
            timerId = -1;
        }
        owner.ended(this, ending);
        return true;
    }

    /** The emulated network fault: cut the connection mid-stream, no terminating chunk, no [DONE]. */
    void drop() {
        if (end(Ending.DROPPED)) {
            request.connection().close();
        }
    }

    /** Server-side shutdown (reset/close/refuse): not the client's doing, so not counted as aborted. */
    void terminate() {
        if (end(Ending.TERMINATED)) {
            request.connection().close();
        }
    }
}
