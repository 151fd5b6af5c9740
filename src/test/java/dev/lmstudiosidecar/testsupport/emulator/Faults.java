package dev.lmstudiosidecar.testsupport.emulator;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** One-shot fault budgets, consumed atomically by the requests they hit. */
final class Faults {

    private record FailPlan(int remaining, int status) {
    }

    private static final FailPlan NO_FAILURES = new FailPlan(0, 0);

    private final AtomicReference<FailPlan> fail = new AtomicReference<>(NO_FAILURES);
    private final AtomicInteger hang = new AtomicInteger();
    private final AtomicInteger dropAfter = new AtomicInteger(-1);
    private final AtomicInteger stallAfter = new AtomicInteger(-1);
    private final AtomicInteger dropListings = new AtomicInteger();

    void failNext(int count, int status) {
        fail.set(count > 0 ? new FailPlan(count, status) : NO_FAILURES);
    }

    void hangNext(int count) {
        hang.set(Math.max(0, count));
    }

    void dropStreamAfter(int chunks) {
        dropAfter.set(chunks);
    }

    void dropNextListings(int count) {
        dropListings.set(Math.max(0, count));
    }

    /** Whether this listing request's connection is to be closed without an answer. */
    boolean takeListingDrop() {
        return dropListings.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    void stallAfter(int chunks) {
        stallAfter.set(chunks);
    }

    /** Data events (or, for a plain answer, any body at all) to send before going silent, or -1. */
    int takeStallAfter() {
        return stallAfter.getAndSet(-1);
    }

    /** The status to fail this request with, or 0 when no failure is planned. */
    int takeFailure() {
        FailPlan before = fail.getAndUpdate(p -> p.remaining() > 1 ? new FailPlan(p.remaining() - 1, p.status()) : NO_FAILURES);
        return before.remaining() > 0 ? before.status() : 0;
    }

    boolean takeHang() {
        return hang.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    /** Data events to send before dropping this stream, or -1 to stream normally. */
    int takeDropAfter() {
        return dropAfter.getAndSet(-1);
    }

    void clear() {
        fail.set(NO_FAILURES);
        hang.set(0);
        dropAfter.set(-1);
        stallAfter.set(-1);
        dropListings.set(0);
    }
}
