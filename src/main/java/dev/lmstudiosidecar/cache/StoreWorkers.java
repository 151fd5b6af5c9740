package dev.lmstudiosidecar.cache;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The store's own threads: whatever may touch the disk (the persistent tier, scans of a tier) runs here,
 * never on the caller's thread, which may be a Vert.x event loop.
 *
 * <p>Every submitted task's future completes: with the task's result, or with its fallback when the task
 * fails (logged once per kind), when the queue is full (a disk slower than the traffic: the work is
 * skipped rather than held in memory without bound) or when the store is closing.
 */
final class StoreWorkers {

    private static final int THREADS = 2;
    private static final int QUEUE = 512;

    private final FailureLog failures;
    private final ThreadPoolExecutor pool;

    StoreWorkers(FailureLog failures) {
        this.failures = failures;
        AtomicInteger count = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), work -> {
            Thread thread = new Thread(work, "sidecar-cache-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    /** Runs {@code work} on the store's threads; {@code kind} names its failures in the log. */
    <T> CompletableFuture<T> submit(String kind, Callable<T> work, T fallback) {
        Task<T> task = new Task<>(kind, work, fallback);
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            if (!pool.isShutdown()) {
                failures.warnOnce("queue-full", "The response cache's work queue is full (" + QUEUE
                        + " tasks): the disk is slower than the traffic, work is skipped", e);
            }
            task.fallBack();
        }
        return task.result;
    }

    /** Lets queued work finish for up to {@code waitMillis}, then completes whatever is left with its fallback. */
    void close(long waitMillis) {
        pool.shutdown();
        try {
            if (pool.awaitTermination(waitMillis, TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Runnable> never = pool.shutdownNow();
        for (Runnable task : never) {
            ((Task<?>) task).fallBack();
        }
    }

    private final class Task<T> implements Runnable {
        final String kind;
        final Callable<T> work;
        final T fallback;
        final CompletableFuture<T> result = new CompletableFuture<>();

        Task(String kind, Callable<T> work, T fallback) {
            this.kind = kind;
            this.work = work;
            this.fallback = fallback;
        }

        @Override
        public void run() {
            try {
                result.complete(work.call());
            } catch (Throwable e) {
                failures.warnOnce(kind, "The response cache could not " + kind, e);
                fallBack();
            }
        }

        void fallBack() {
            result.complete(fallback);
        }
    }
}
