package dev.lmstudiosidecar.testsupport.emulator;

import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator.LlamaClose;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How llama.cpp's llama-server (cpp-httplib underneath) treats connections, for the
 * {@link LmStudioEmulator.Shape#LLAMA_CPP} shape, as seen on a real one (build b4748):
 * <ul>
 *   <li>A fixed number of HTTP worker threads, each bound to one connection from its first request
 *       until that connection closes. A connection that finds no free worker is accepted but not
 *       served: its requests wait, however long, for a worker to come free.</li>
 *   <li>Every answer advertises {@code Keep-Alive: timeout=5, max=100}. A plain answer keeps its
 *       connection (and its worker) until {@link #KEEP_ALIVE_TIMEOUT_MS} of silence; a streamed one
 *       closes it anyway: at once ({@link LlamaClose#AFTER_STREAM}, what llama-server does; a pooled
 *       client that reuses it quickly loses the race now and then), or when the next request arrives
 *       on it ({@link LlamaClose#ON_NEXT_REQUEST}: a stale pooled connection every time, for
 *       deterministic tests).</li>
 * </ul>
 * Thread-safe: the emulator's event loops call in concurrently.
 */
final class LlamaServerConnections {

    /** llama-server's default is max(parallel slots + 2, cores - 1): a handful. */
    static final int DEFAULT_WORKERS = 4;
    static final String KEEP_ALIVE = "timeout=5, max=100";
    static final long KEEP_ALIVE_TIMEOUT_MS = 5_000;

    private record Waiting(HttpConnection connection, Context context, HttpServerRequest request, Runnable dispatch) {
    }

    private final Vertx vertx;
    private final Object lock = new Object();
    private final Set<HttpConnection> holdingWorker = new HashSet<>(); // guarded by lock
    /** Streamed connections left open by ON_NEXT_REQUEST: the next request on one is met with a close. */
    private final Set<HttpConnection> stale = new HashSet<>(); // guarded by lock
    /** Connections between an answer and their next request, each with a token for its idle timer. */
    private final Map<HttpConnection, Object> idle = new HashMap<>(); // guarded by lock
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>(); // guarded by lock
    private int freeWorkers; // guarded by lock
    private volatile LlamaClose closeTiming = LlamaClose.AFTER_STREAM;
    private final AtomicInteger staleClosures = new AtomicInteger();

    LlamaServerConnections(Vertx vertx) {
        this.vertx = vertx;
        this.freeWorkers = DEFAULT_WORKERS;
    }

    /** Runs {@code dispatch} once the request's connection has a worker; a stale connection is closed instead. */
    void admit(HttpServerRequest request, Runnable dispatch) {
        HttpConnection connection = request.connection();
        boolean close;
        boolean runNow = false;
        synchronized (lock) {
            idle.remove(connection);
            close = stale.remove(connection);
            if (!close) {
                if (holdingWorker.contains(connection)) {
                    runNow = true;
                } else if (freeWorkers > 0) {
                    freeWorkers--;
                    holdingWorker.add(connection);
                    connection.closeHandler(v -> closed(connection));
                    runNow = true;
                } else {
                    waiting.add(new Waiting(connection, Vertx.currentContext(), request, dispatch));
                    connection.closeHandler(v -> closed(connection));
                }
            }
        }
        if (close) {
            staleClosures.incrementAndGet();
            connection.close(); // read, never answered: what a client sees on a connection the server dropped
        } else if (runNow) {
            serve(request, dispatch);
        }
    }

    private static void serve(HttpServerRequest request, Runnable dispatch) {
        request.response().putHeader("Connection", "keep-alive").putHeader("Keep-Alive", KEEP_ALIVE);
        dispatch.run();
    }

    /** The answer on {@code request}'s connection was sent in full. */
    void answerSent(HttpServerRequest request) {
        HttpConnection connection = request.connection();
        String type = request.response().headers().get("Content-Type");
        boolean streamed = type != null && type.startsWith("text/event-stream");
        if (streamed && closeTiming == LlamaClose.AFTER_STREAM) {
            connection.close();
            return;
        }
        Object token = new Object();
        synchronized (lock) {
            if (streamed) {
                stale.add(connection);
            }
            idle.put(connection, token);
        }
        vertx.setTimer(KEEP_ALIVE_TIMEOUT_MS, id -> {
            boolean silent;
            synchronized (lock) {
                silent = idle.get(connection) == token;
            }
            if (silent) {
                connection.close();
            }
        });
    }

    void closeTiming(LlamaClose timing) {
        closeTiming = timing;
    }

    /** Requests that arrived on a streamed answer's connection left open (ON_NEXT_REQUEST) and were met with a close. */
    int staleClosures() {
        return staleClosures.get();
    }

    /** Closes every connection it tracks and starts again with {@code workers} free workers. */
    void reset(int workers) {
        List<HttpConnection> open;
        synchronized (lock) {
            open = new ArrayList<>(holdingWorker);
            waiting.forEach(w -> open.add(w.connection()));
            holdingWorker.clear();
            stale.clear();
            idle.clear();
            waiting.clear();
            freeWorkers = workers;
        }
        closeTiming = LlamaClose.AFTER_STREAM;
        staleClosures.set(0);
        open.forEach(HttpConnection::close);
    }

    private void closed(HttpConnection connection) {
        Waiting next = null;
        synchronized (lock) {
            stale.remove(connection);
            idle.remove(connection);
            if (holdingWorker.remove(connection)) {
                next = waiting.poll();
                if (next == null) {
                    freeWorkers++;
                } else {
                    holdingWorker.add(next.connection());
                }
            } else {
                waiting.removeIf(w -> w.connection() == connection);
            }
        }
        if (next != null) {
            Waiting granted = next;
            granted.context().runOnContext(v -> serve(granted.request(), granted.dispatch()));
        }
    }
}
