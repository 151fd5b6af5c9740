package dev.lmstudiosidecar.api;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One WARN line for each 5xx the sidecar answers (or each stream it cuts): request id, route, model
 * and the cause, so that an operator can match an app's error to its reason. At most
 * {@code linesPerMinute} lines a minute, so an outage cannot flood the log; the lines left out are
 * counted and the next line written says how many.
 *
 * <p>Plain Java and thread-safe; the clock and the sink are injected for tests.
 */
final class ServerErrorLog {

    private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final int linesPerMinute;
    private final LongSupplier nanoClock;
    private final Consumer<String> sink;
    // All guarded by this.
    private long windowStart;
    private int written;
    private int leftOut;

    /** @param linesPerMinute 0 logs nothing */
    ServerErrorLog(int linesPerMinute, LongSupplier nanoClock, Consumer<String> sink) {
        if (linesPerMinute < 0) {
            throw new IllegalArgumentException("linesPerMinute must be >= 0");
        }
        this.linesPerMinute = linesPerMinute;
        this.nanoClock = nanoClock;
        this.sink = sink;
        this.windowStart = nanoClock.getAsLong();
    }

    /** @param model the model asked for or tried; null when none is known */
    void log(String requestId, String method, String path, String model, ApiError error) {
        String line;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            if (now - windowStart >= MINUTE_NANOS) {
                windowStart = now;
                written = 0;
            }
            if (written >= linesPerMinute) {
                leftOut++;
                return;
            }
            written++;
            line = "request " + requestId + " " + method + " " + path + (model == null ? "" : " model " + model)
                    + ": " + error.status() + " " + error.code() + ": " + error.message()
                    + (leftOut == 0 ? "" : " (" + leftOut + " earlier such lines left out: at most " + linesPerMinute + " a minute)");
            leftOut = 0;
        }
        sink.accept(line);
    }
}
