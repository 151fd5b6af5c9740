package dev.lmstudiosidecar.api;

import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.UpstreamCall;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * One client request through the sidecar, from the body read to the last byte relayed. It lives
 * on the event loop of the client's connection; nothing here blocks.
 */
final class ProxyExchange {

    private static final String OPENAI_PREFIX = "/v1";

    private final ProxyContext context;
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final String requestId;
    private final String suffix;
    private final OpenAiEndpoint endpoint;
    private OpenAiRequest parsed;
    private UpstreamCall call;
    private boolean clientGone;

    ProxyExchange(ProxyContext context, HttpServerRequest request) {
        this.context = context;
        this.request = request;
        this.response = request.response();
        this.requestId = RequestIds.resolve(request.getHeader(SidecarHeaders.REQUEST_ID));
        this.suffix = request.path().substring(OPENAI_PREFIX.length());
        this.endpoint = OpenAiEndpoint.of(request.method().name(), suffix);
    }

    void start() {
        response.putHeader(SidecarHeaders.REQUEST_ID, requestId);
        response.closeHandler(closed -> onClientGone());
        RequestBodyReader.read(request, context.maxRequestBodyBytes()).onComplete(read -> {
            if (read.succeeded()) {
                forward(read.result());
            } else {
                respondError(read.cause());
            }
        });
    }

    private void forward(Buffer body) {
        try {
            parsed = parse(body);
        } catch (ApiException invalid) {
            respondError(invalid.error());
            return;
        }
        Buffer upstreamBody = parsed.rewrittenBody() == null ? body : Buffer.buffer(parsed.rewrittenBody());
        boolean bodiless = upstreamBody.length() == 0 && (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD);
        call = context.client().sendOpenAi(request.method(), suffixWithQuery(),
                ForwardedHeaders.toUpstream(request.headers(), requestId), bodiless ? null : upstreamBody);
        if (clientGone) {
            call.cancel();
        }
        call.response().onComplete(answered -> {
            if (answered.succeeded()) {
                relay(answered.result());
            } else {
                respondError(transportFailure(answered.cause()));
            }
        });
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

    private void relay(HttpClientResponse upstream) {
        if (clientGone) {
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
        response.setStatusCode(error.status());
        response.headers().set("Content-Type", "application/json");
        error.headers().forEach(response.headers()::set);
        if (error.status() == 413) {
            response.headers().set("Connection", "close"); // the rest of the upload is not read
        }
        addSidecarHeaders();
        response.end(error.toJson());
    }

    ApiError upstreamError(UpstreamFailure failure) {
        return context.errors().toApiError(failure, parsed == null ? null : parsed.model(), request.method().name(), request.path());
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

    /** Stops the upstream request, so that LM Studio stops generating for nobody. */
    void cancelUpstream() {
        if (call != null) {
            call.cancel();
        }
    }

    private void onClientGone() {
        if (!response.ended()) {
            clientGone = true;
            cancelUpstream();
        }
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

    /** For log lines and messages that need to say which exchange they are about. */
    String requestId() {
        return requestId;
    }
}
