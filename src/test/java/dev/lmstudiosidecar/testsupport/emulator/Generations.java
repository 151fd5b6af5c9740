package dev.lmstudiosidecar.testsupport.emulator;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Generation accounting. "Active" spans arrival to end, including JIT-load waits and hangs, because
 * that is the upstream concurrency the sidecar's limiter must bound.
 */
final class Generations {

    private final Set<Generation> active = ConcurrentHashMap.newKeySet();
    private final AtomicInteger activeCount = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicInteger aborted = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();

    Generation begin(Vertx vertx, HttpServerRequest request) {
        Generation g = new Generation(this, vertx, request);
        active.add(g);
        int now = activeCount.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        return g;
    }

    void ended(Generation g, Generation.Ending ending) {
        if (active.remove(g)) {
            activeCount.decrementAndGet();
        }
        switch (ending) {
            case COMPLETED -> completed.incrementAndGet();
            case ABORTED -> aborted.incrementAndGet();
            case DROPPED -> dropped.incrementAndGet();
            case ANSWERED_WITHOUT_GENERATING, TERMINATED -> { }
        }
    }

    /**
     * Ends every running generation on its own event loop and waits, so that after reset()/close()
     * no timer from a previous test can still write or count.
     */
    void terminateAll() {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (Generation g : active) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            g.context.runOnContext(v -> {
                g.terminate();
                f.complete(null);
            });
            done.add(f);
        }
        if (Context.isOnEventLoopThread()) {
            return; // waiting here could wait on ourselves
        }
        try {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // an event loop already closed: its generations are gone with it
        }
    }

    void clearCounters() {
        maxConcurrent.set(activeCount.get());
        completed.set(0);
        aborted.set(0);
        dropped.set(0);
    }

    int active() {
        return activeCount.get();
    }

    int maxConcurrent() {
        return maxConcurrent.get();
    }

    int completed() {
        return completed.get();
    }

    int aborted() {
        return aborted.get();
    }

    int dropped() {
        return dropped.get();
    }
}
