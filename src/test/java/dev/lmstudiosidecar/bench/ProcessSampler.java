package dev.lmstudiosidecar.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a process's CPU time and resident memory from /proc, and samples its RSS every few
 * milliseconds while a phase runs, so each phase has its own peak.
 */
final class ProcessSampler implements AutoCloseable {

    /** Linux reports CPU time in clock ticks; USER_HZ is 100 on every mainstream kernel build. */
    private static final double TICKS_PER_SECOND = 100.0;
    private static final long SAMPLE_EVERY_MS = 20;

    private final long pid;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread sampler;
    private volatile long peakRssKb;

    ProcessSampler(long pid) {
        this.pid = pid;
        this.sampler = new Thread(this::sampleLoop, "rss-sampler-" + pid);
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Starts a new peak: the highest RSS seen from now on. */
    void resetPeak() {
        peakRssKb = rssKb();
    }

    long peakRssKb() {
        return peakRssKb;
    }

    /** VmHWM: the highest RSS since the process started. */
    long lifetimePeakRssKb() {
        return statusField("VmHWM:");
    }

    long rssKb() {
        return statusField("VmRSS:");
    }

    /** User plus system CPU seconds used so far. */
    double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(fields[11]);
            long stime = Long.parseLong(fields[12]);
            return (utime + stime) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private long statusField(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private void sampleLoop() {
        while (running.get()) {
            long rss = rssKb();
            if (rss > peakRssKb) {
                peakRssKb = rss;
            }
            try {
                Thread.sleep(SAMPLE_EVERY_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running.set(false);
        sampler.interrupt();
    }
}
