package dev.lmstudiosidecar.bench.soak;

import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Faults switched on and off during the soak, one kind per window, every other window clean: what LM Studio
 * does to a sidecar over a day, pressed into minutes. Each is injected into the emulator, again and again while
 * its window lasts.
 */
final class SoakFaults implements AutoCloseable {

    /** A fault: its name for the report, how often it is injected, what injecting it does, and how it is undone. */
    private record Fault(String name, Duration every, Runnable inject, Runnable undo) {
    }

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<Fault> faults;
    private ScheduledFuture<?> running;
    private Fault active;

    SoakFaults(LmStudioEmulator emulator) {
        this.faults = List.of(
                new Fault("5xx bursts", Duration.ofSeconds(2), () -> emulator.failNext(5, 500), () -> emulator.failNext(0, 500)),
                new Fault("streams cut mid-way", Duration.ofSeconds(2), () -> emulator.dropStreamAfter(3), () -> emulator.dropStreamAfter(-1)),
                new Fault("slow tokens (40 ms)", Duration.ofSeconds(30), () -> emulator.tokenDelay(Duration.ofMillis(40)),
                        () -> emulator.tokenDelay(Duration.ZERO)),
                new Fault("evictions", Duration.ofSeconds(5), () -> emulator.evict("qwen2.5-7b-instruct"), () -> { }),
                new Fault("hangs", Duration.ofSeconds(5), () -> emulator.hangNext(2), () -> emulator.hangNext(0)),
                new Fault("LM Studio down 5 s of 15", Duration.ofSeconds(15), () -> {
                    emulator.refuseConnections(true);
                    timer.schedule(() -> emulator.refuseConnections(false), 5, TimeUnit.SECONDS);
                }, () -> emulator.refuseConnections(false)));
    }

    /** Window {@code index}: even ones clean, odd ones the next fault in turn; returns its name. */
    synchronized String window(int index) {
        if (running != null) {
            running.cancel(false);
            running = null;
            Fault ended = active;
            timer.execute(ended.undo());
            active = null;
        }
        if (index % 2 == 0) {
            return "none";
        }
        active = faults.get((index / 2) % faults.size());
        Fault fault = active;
        running = timer.scheduleAtFixedRate(fault.inject(), 0, fault.every().toMillis(), TimeUnit.MILLISECONDS);
        return fault.name();
    }

    @Override
    public synchronized void close() throws InterruptedException {
        window(0);
        timer.shutdown();
        timer.awaitTermination(10, TimeUnit.SECONDS);
    }
}
