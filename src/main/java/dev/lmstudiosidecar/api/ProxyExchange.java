package dev.lmstudiosidecar.api;

import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.UpstreamCall;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.resilience.ConcurrencyLimiter;
import dev.lmstudiosidecar.resilience.ConcurrencyLimiter.Permit;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * One client request through the sidecar, from the body read to the last byte relayed. It lives
 * on the event loop of the client's connection; nothing here blocks. {@link #finish()} runs once
 * when the exchange is over, however it ends, and gives back everything it held.
 */
final class ProxyExchange {

    private static final String OPENAI_PREFIX = "/v1";
    /** CONNECT would turn the pooled upstream connection into a tunnel; TRACE has no use here. */
    private static final Set<HttpMethod> REFUSED = Set.of(HttpMethod.CONNECT, HttpMethod.TRACE);
    /** How long a refused upload may go on being sent (and dropped) before the connection closes. */
    private static final long UPLOAD_LINGER_MILLIS = 10_000;

    private final ProxyContext context;
    private final Context eventLoop;
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final String requestId;
    private final String suffix;
    private final OpenAiEndpoint endpoint;
    private final RequestBodyBudget.Reservation bodyBudget;
    private OpenAiRequest parsed;
    private ConcurrencyLimiter.Waiter waiter;
    private UpstreamCall call;
    private boolean upstreamComplete;
    private boolean clientGone;
    private boolean finished;

    ProxyExchange(ProxyContext context, RoutingContext routing) {
        this.context = context;
        this.eventLoop = Vertx.currentContext();
        this.request = routing.request();
        this.response = request.response();
        this.requestId = RequestIds.resolve(request.getHeader(SidecarHeaders.REQUEST_ID));
        // The route matched the normalised path, so that is the path forwarded: a raw "/./v1/x"
        // must not reach LM Studio as something the validation never saw.
        this.suffix = routing.normalizedPath().substring(OPENAI_PREFIX.length());
        this.endpoint = OpenAiEndpoint.of(request.method().name(), suffix);
        this.bodyBudget = context.bodyBudget().open();
    }

    void start() {
        response.putHeader(SidecarHeaders.REQUEST_ID, requestId);
        response.closeHandler(closed -> onClientGone());
        response.endHandler(ended -> finish());
        if (REFUSED.contains(request.method())) {
            respondError(ApiError.methodNotAllowed(request.method().name()));
            return;
        }
        RequestBodyReader.read(request, context.maxRequestBodyBytes(), bodyBudget, context.bodyBudget().capacity())
                .onComplete(read -> {
                    if (read.succeeded()) {
                        forward(read.result());
                    } else {
                        respondError(read.cause());
                    }
                });
    }

    private void forward(Buffer body) {
        if (finished) {
            return;
        }
        try {
            parsed = parse(body);
        } catch (ApiException invalid) {
            respondError(invalid.error());
            return;
        }
        Buffer upstreamBody = parsed.rewrittenBody() == null ? body : Buffer.buffer(parsed.rewrittenBody());
        waiter = context.limiter().acquire(
                permit -> eventLoop.runOnContext(v -> send(permit, upstreamBody)),
                rejection -> eventLoop.runOnContext(v -> respondError(context.errors().queueRejected(rejection))));
    }

    /** Validates the body where it lies, without copying it. */
    private OpenAiRequest parse(Buffer body) {
        ByteBuf bytes = body.getByteBuf();
        if (bytes.hasArray()) {
            return context.parser().parse(endpoint, bytes.array(), bytes.arrayOffset() + bytes.readerIndex(),
                    bytes.readableBytes(), request::getHeader);
        }
        return context.parser().parse(endpoint, body.getBytes(), request::getHeader);
    }

    private void send(Permit permit, Buffer upstreamBody) {
        if (finished) {
            permit.release();
            return;
        }
        boolean bodiless = upstreamBody.length() == 0 && (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD);
        call = context.client().sendOpenAi(request.method(), suffixWithQuery(),
                ForwardedHeaders.toUpstream(request.headers(), requestId), bodiless ? null : upstreamBody);
        call.response().onComplete(answered -> {
            if (answered.succeeded()) {
                relay(answered.result());
            } else {
                upstreamComplete = true;
                respondError(transportFailure(answered.cause()));
            }
        });
    }

    private void relay(HttpClientResponse upstream) {
        if (finished) {
            call.cancel();
            return;
        }
        boolean success = upstream.statusCode() >= 200 && upstream.statusCode() < 300;
        String contentType = upstream.getHeader("Content-Type");
        if (success && contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17)) {
            new StreamRelay(this, upstream).start();
        } else {
            new InspectingRelay(this, upstream).start();
        }
    }

    /** Starts the client's answer with the upstream status and headers plus the sidecar's own. */
    void writeHead(HttpClientResponse upstream) {
        response.setStatusCode(upstream.statusCode());
        ForwardedHeaders.copyToClient(upstream.headers(), response.headers());
        addSidecarHeaders();
    }

    void respondError(Throwable failure) {
        respondError(failure instanceof ApiException api ? api.error() : ApiError.internal(
                "The sidecar failed on this request (" + failure.getClass().getSimpleName() + "); the request id is " + requestId + "."));
    }

    void respondError(ApiError error) {
        if (response.ended() || response.closed()) {
            return;
        }
        if (response.headWritten()) {
            // Too late for a status: breaking the connection is the only honest way to say
            // that the body the client has is not the whole answer.
            response.reset();
            return;
        }
        response.headers().clear(); // upstream headers copied for a success that did not happen
        response.setStatusCode(error.status());
        response.headers().set(SidecarHeaders.REQUEST_ID, requestId);
        response.headers().set("Content-Type", "application/json");
        error.headers().forEach(response.headers()::set);
        addSidecarHeaders();
        boolean unreadUpload = !request.isEnded();
        if (unreadUpload && request.version() != HttpVersion.HTTP_2) {
            response.headers().set("Connection", "close");
        }
        response.end(error.toJson());
        if (unreadUpload) {
            lingerThenClose();
        }
    }

    /**
     * The rest of a refused upload is read and dropped (the body reader ignores it) for a bounded
     * time before the connection closes: clients that write the whole body before reading, as
     * most SDKs do, then see the error instead of a broken pipe.
     */
    private void lingerThenClose() {
        long timer = context.vertx().setTimer(UPLOAD_LINGER_MILLIS, id -> request.connection().close());
        request.endHandler(ended -> context.vertx().cancelTimer(timer));
    }

    ApiError upstreamError(UpstreamFailure failure) {
        return context.errors().toApiError(failure, parsed == null ? null : parsed.model(), request.method().name(), OPENAI_PREFIX + suffix);
    }

    ApiError transportFailure(Throwable error) {
        return upstreamError(UpstreamFailure.fromTransport(backend(), error));
    }

    Backend backend() {
        return context.client().backend();
    }

    ProxyContext context() {
        return context;
    }

    HttpServerResponse response() {
        return response;
    }

    boolean clientGone() {
        return clientGone;
    }

    /** The relay read the whole upstream answer: nothing to reset when the exchange ends. */
    void upstreamComplete() {
        upstreamComplete = true;
    }

    /** Stops the upstream request, so that LM Studio stops generating for nobody. */
    private void cancelUpstream() {
        if (call != null) {
            call.cancel();
        }
    }

    private void onClientGone() {
        if (!response.ended()) {
            clientGone = true;
        }
        finish();
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (!upstreamComplete) {
            cancelUpstream();
        }
        if (waiter != null) {
            waiter.cancel(); // leaves the queue, or gives the permit back
        }
        bodyBudget.close();
    }

    private void addSidecarHeaders() {
        response.headers().set(SidecarHeaders.PROVIDER, backend().name());
        if (parsed != null && parsed.model() != null) {
            response.headers().set(SidecarHeaders.MODEL, parsed.model());
        }
    }

    private String suffixWithQuery() {
        String query = request.query();
        return query == null ? suffix : suffix + "?" + query;
    }
}
