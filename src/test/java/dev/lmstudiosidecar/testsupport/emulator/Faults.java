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
    private final AtomicInteger resetOnArrival = new AtomicInteger();
    private final AtomicInteger rateLimit = new AtomicInteger();
    private final AtomicReference<PlainFault> answerFault = new AtomicReference<>();
    private final AtomicReference<String> errorBody = new AtomicReference<>();
    private final AtomicInteger oversize = new AtomicInteger();

    /** What goes wrong with the next answer's body (see {@link LmStudioEmulator}'s knobs of the same names). */
    enum PlainFault { RESET_MID_BODY, TRUNCATED_JSON, EVICT_MID_GENERATION }

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
        return takeOne(dropListings);
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
        return takeOne(hang);
    }

    /** Data events to send before dropping this stream, or -1 to stream normally. */
    int takeDropAfter() {
        return dropAfter.getAndSet(-1);
    }

    void resetNextOnArrival(int count) {
        resetOnArrival.set(Math.max(0, count));
    }

    boolean takeResetOnArrival() {
        return takeOne(resetOnArrival);
    }

    void rateLimitNext(int count) {
        rateLimit.set(Math.max(0, count));
    }

    boolean takeRateLimit() {
        return takeOne(rateLimit);
    }

    void answerFault(PlainFault fault) {
        answerFault.set(fault);
    }

    /** The fault planned for the next answer, or null. */
    PlainFault takeAnswerFault() {
        return answerFault.getAndSet(null);
    }

    void errorBodyNext(String message) {
        errorBody.set(message);
    }

    /** The message of a 200 error body planned for this request, or null. */
    String takeErrorBody() {
        return errorBody.getAndSet(null);
    }

    void oversizeNext(int bytes) {
        oversize.set(Math.max(0, bytes));
    }

    /** The least size in bytes planned for this answer, or 0. */
    int takeOversize() {
        return oversize.getAndSet(0);
    }

    /** Spends one of a budget's requests: false when it is empty. */
    private static boolean takeOne(AtomicInteger budget) {
        return budget.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    void clear() {
        resetOnArrival.set(0);
        rateLimit.set(0);
        answerFault.set(null);
        errorBody.set(null);
        oversize.set(0);
        fail.set(NO_FAILURES);
        hang.set(0);
        dropAfter.set(-1);
        stallAfter.set(-1);
        dropListings.set(0);
    }
}
