package dev.lmstudiosidecar.api;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a request body up to a limit and within the sidecar-wide body budget. A declared
 * {@code Content-Length} over the limit is refused before a byte is read; a chunked body is
 * refused as soon as it crosses the limit, so a huge upload never sits in the sidecar's heap.
 */
public final class RequestBodyReader {

    private static final int INITIAL_CAPACITY = 4096;

    private RequestBodyReader() {
    }

    /** @param timeoutMillis a body not received whole by then fails the read with 408, and what comes after is dropped */
    static Future<Buffer> read(HttpServerRequest request, long limitBytes, RequestBodyBudget.Reservation budget, long budgetCapacity,
                               Vertx vertx, long timeoutMillis) {
        long declared = contentLength(request.getHeader(HttpHeaders.CONTENT_LENGTH));
        if (declared > limitBytes) {
            return Future.failedFuture(ApiError.bodyTooLarge(limitBytes).asException());
        }
        if (declared > 0 && !budget.reserve(declared)) {
            return Future.failedFuture(busy(budgetCapacity).asException());
        }
        if (request.isEnded()) {
            return Future.succeededFuture(Buffer.buffer(0));
        }
        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            request.response().writeContinue(); // the length is acceptable: let the client send
        }
        Buffer body = Buffer.buffer(declared > 0 ? (int) declared : INITIAL_CAPACITY);
        Promise<Buffer> done = Promise.promise();
        request.handler(chunk -> {
            if (done.future().isComplete()) {
                return;
            }
            if ((long) body.length() + chunk.length() > limitBytes) {
                done.tryFail(ApiError.bodyTooLarge(limitBytes).asException());
            } else if (declared <= 0 && !budget.reserve(chunk.length())) {
                done.tryFail(busy(budgetCapacity).asException());
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(done::tryFail);
        request.endHandler(end -> done.tryComplete(body));
        long timer = vertx.setTimer(timeoutMillis, id -> done.tryFail(ApiError.bodyTimedOut(timeoutMillis).asException()));
        done.future().onComplete(read -> vertx.cancelTimer(timer));
        request.resume();
        return done.future();
    }

    private static ApiError busy(long capacity) {
        return ApiError.queueFull(1, "The sidecar is already holding " + capacity
                + " bytes of request bodies (sidecar.max-buffered-request-bytes). Retry shortly.");
    }

    /** @return a declared {@code Content-Length}, request's or response's, or -1 when absent or not a number */
    public static long contentLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
