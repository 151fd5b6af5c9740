package dev.lmstudiosidecar.api;

import dev.lmstudiosidecar.cache.CachedAnswer;
import dev.lmstudiosidecar.cache.InFlightAnswers;
import dev.lmstudiosidecar.cache.RequestFields;
import dev.lmstudiosidecar.cache.ResponseCache;
import dev.lmstudiosidecar.cache.StreamConversions;
import dev.lmstudiosidecar.metrics.ErrorTypes;
import dev.lmstudiosidecar.metrics.GenAiOperation;
import dev.lmstudiosidecar.metrics.Outcome;
import dev.lmstudiosidecar.metrics.RequestObservation;
import dev.lmstudiosidecar.models.ModelUsage;
import dev.lmstudiosidecar.models.TaskType;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.UpstreamCall;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.resilience.AttemptFailedException;
import dev.lmstudiosidecar.resilience.BreakerDiagnosis;
import dev.lmstudiosidecar.resilience.ClientGoneException;
import dev.lmstudiosidecar.resilience.ConcurrencyLimiter;
import dev.lmstudiosidecar.resilience.FailurePolicy;
import dev.lmstudiosidecar.resilience.MarkedDownException;
import dev.lmstudiosidecar.resilience.OpenedAnswer;
import dev.lmstudiosidecar.fleet.LMStudioHost;
import dev.lmstudiosidecar.routing.Candidate;
import dev.lmstudiosidecar.routing.ChainWalk;
import dev.lmstudiosidecar.routing.RouteDecision;
import dev.lmstudiosidecar.routing.RouteReasoning;
import dev.lmstudiosidecar.routing.TaskClassification;
import dev.lmstudiosidecar.shutdown.GracefulShutdown;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jboss.logging.Logger;

/**
 * One client request through the sidecar, from the body read to the last byte relayed. It lives
 * on the event loop of the client's connection; nothing here blocks. {@link #finish()} runs once
 * when the exchange is over, however it ends, and gives back everything it held.
 */
final class ProxyExchange implements GracefulShutdown.InFlight {

    private static final Logger LOG = Logger.getLogger(ProxyExchange.class);

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
    private Buffer body;
    /** {@link #body}'s bytes, for the parsers that read it. */
    private BufferBytes bodyBytes;
    private ConcurrencyLimiter.Waiter waiter;
    private boolean permitHeld;
    /** The host the request is placed on now (counted there until it ends or moves on); null for none, or the cloud. */
    private LMStudioHost placedOn;
    /** The host whose slot {@link #waiter} holds or waits for. */
    private LMStudioHost permitHost;
    /** The candidate whose model is known to be ready (loaded, or not the sidecar's to load). */
    private Candidate readyCandidate;
    /** This request's hold on the local model it is sent to, so that nobody unloads it meanwhile. */
    private ModelUsage.Lease modelLease;
    /** The host whose model {@link #modelLease} holds. */
    private LMStudioHost leaseHost;
    private ChainWalk walk;
    /** Set when every candidate failed: then no single one may be named as the answer's source. */
    private boolean noneAnswered;
    /** The attempt under way, until its relay reports it opened or failed: what the backend's guard waits for. */
    private CompletableFuture<OpenedAnswer> pendingAttempt;
    private UpstreamCall call;
    private boolean upstreamComplete;
    private boolean clientGone;
    private boolean finished;
    /** What the metrics learn of this request; null when they are off, or for a route they do not measure. */
    private final RequestObservation observation;
    /** The error the client was told, if any: a stream cut after its start still has status 200. */
    private ApiError answeredError;
    /** The candidate the last step ran, to see the walk move to a fallback. */
    private Candidate lastCandidate;
    /** What the response cache does for this request; null when it stays out (a bypass). */
    private ResponseCache.Plan cachePlan;
    /** The candidate whose cached answer was looked for (a fallback's answer is keyed by its own model). */
    private Candidate cacheCheckedFor;
    /** The key this request's answer is stored under, once a candidate's lookup missed. */
    private String cacheKey;
    /** This request leads the identical ones in flight: they wait for its answer. */
    private InFlightAnswers.Leading cacheLead;
    private ResponseCache.Result cacheResult = ResponseCache.Result.BYPASS;
    private long sentNanos;
    /** Why a request for {@code model: "auto"} went where it went; null for a named model. */
    private RouteDecision route;
    /** The task the request is for (routed, or named by a hint); null when unknown. Its answers teach the router latencies. */
    private TaskType task;

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
        GenAiOperation operation = operationOf(endpoint);
        this.observation = operation == null ? null : context.metrics().start(operation);
    }

    private static GenAiOperation operationOf(OpenAiEndpoint endpoint) {
        return switch (endpoint) {
            case CHAT_COMPLETIONS -> GenAiOperation.CHAT;
            case COMPLETIONS -> GenAiOperation.TEXT_COMPLETION;
            case EMBEDDINGS -> GenAiOperation.EMBEDDINGS;
            case MODELS, PASS_THROUGH -> null;
        };
    }

    void start() {
        response.putHeader(SidecarHeaders.REQUEST_ID, requestId);
        response.closeHandler(closed -> onClientGone());
        response.endHandler(ended -> finish());
        context.shutdown().started(this); // first: a request registered before the refusal below is waited for
        if (context.shutdown().refusing()) {
            respondError(ApiError.shuttingDown("The sidecar is shutting down and takes no new request."));
            return;
        }
        if (REFUSED.contains(request.method())) {
            respondError(ApiError.methodNotAllowed(request.method().name()));
            return;
        }
        RequestBodyReader.read(request, context.maxRequestBodyBytes(), bodyBudget, context.bodyBudget().capacity(),
                        context.vertx(), context.requestBodyTimeoutMillis())
                .onComplete(read -> {
                    if (read.succeeded()) {
                        guarded(() -> forward(read.result()));
                    } else {
                        respondError(read.cause());
                    }
                });
    }

    private void forward(Buffer body) {
        if (finished) {
            return;
        }
        bodyBytes = BufferBytes.of(body); // once: a body not on the heap is copied to read it
        try {
            parsed = parse();
        } catch (ApiException invalid) {
            respondError(invalid.error());
            return;
        }
        this.body = body;
        if (!planCache()) {
            return;
        }
        if (observation != null) {
            observation.requested(parsed.model() == null ? OpenAiRequest.AUTO_MODEL : parsed.model()); // none named: routed as "auto"
        }
        boolean canFallBack = endpoint.routable();
        RequestHints hints = parsed.hints();
        task = hints.taskType().orElse(null);
        if (parsed.wantsRouting()) {
            walk = routedWalk(hints);
            if (walk == null) {
                respondError(ApiError.modelUnavailable(noRouteMessage()));
                return;
            }
        } else {
            Candidate first = context.chain().first(parsed.model(), canFallBack, hints.taskType(), hints.preferredProvider(),
                    hints.fallbackToCloud()).orElse(null);
            if (first == null) {
                respondError(noHostError());
                return;
            }
            walk = new ChainWalk(first, () -> context.chain().fallbacks(first, parsed.model(), canFallBack, hints.taskType(),
                    hints.preferredProvider(), hints.fallbackToCloud()));
        }
        proceed();
    }

    /**
     * {@code model: "auto"}: the task (named, or classified from the messages), the model chosen for it, then its
     * alternatives and the usual fallbacks; with no local model for the task, the cloud when allowed; else null.
     */
    private ChainWalk routedWalk(RequestHints hints) {
        TaskClassification classification = context.router().classify(parsed.namedTask(), bodyBytes.array(), bodyBytes.offset(), bodyBytes.length());
        route = context.router().route(classification);
        task = classification.primary();
        Optional<TaskType> routedTask = Optional.of(task);
        Optional<Candidate> chosen = route.chosen().flatMap(model -> context.chain().first(model.model(), true, routedTask,
                hints.preferredProvider(), hints.fallbackToCloud()));
        if (chosen.isPresent()) {
            Candidate first = chosen.get();
            return new ChainWalk(first, () -> context.chain().routedFallbacks(first, route, hints.preferredProvider(), hints.fallbackToCloud()));
        }
        return context.chain().cloudFor(task, hints.preferredProvider(), hints.fallbackToCloud())
                .map(cloud -> new ChainWalk(List.of(cloud))).orElse(null);
    }

    /** With {@code lmstudio.hosts-dns}, before the name resolved to any address: nowhere to send the request. */
    private ApiError noHostError() {
        return new ApiError(503, ApiError.SERVER_ERROR, "model_unavailable", null, "No LM Studio host is known yet: "
                + context.chain().primaryBackend().openAiBase().getAuthority() + " (lmstudio.hosts-dns) has resolved to no address. Retry shortly.",
                Map.of("Retry-After", "1"));
    }

    private String noRouteMessage() {
        StringBuilder message = new StringBuilder("No local model can serve this ").append(task.wireName()).append(" request (model \"auto\")");
        if (route.rejected().isEmpty()) {
            message.append(": LM Studio lists no model");
        } else {
            message.append(": ");
            route.rejected().forEach(r -> message.append(r.model()).append(" (").append(r.reason()).append("); "));
            message.setLength(message.length() - 2);
        }
        return message.append(". Load a model that supports ").append(task.wireName())
                .append(" (GET /admin/models), name a model, or allow the cloud fallback (lmstudio.enable-cloud-fallback, X-Sidecar-Fallback-To-Cloud).")
                .toString();
    }

    /** @return false when the request was refused (a malformed cache header) */
    private boolean planCache() {
        String operation = endpoint.cacheOperation();
        try {
            cachePlan = context.cache().plan(operation, bodyBytes.array(), bodyBytes.offset(), bodyBytes.length(),
                    request.getHeader("Cache-Control"), request.getHeader(SidecarHeaders.CACHE_TTL)).orElse(null);
        } catch (IllegalArgumentException malformed) {
            respondError(ApiError.invalidRequest(null, malformed.getMessage())); // it names the header
            return false;
        }
        if (cachePlan == null && operation != null) {
            context.cache().count(ResponseCache.Result.BYPASS);
        }
        return true;
    }

    /**
     * Before a candidate is sent anything: its cached answer, if any; else the identical request in flight,
     * if any, to wait for. A fallback's answer is keyed by its own model, so each candidate looks once.
     *
     * @return true when this candidate may go upstream now; else the lookup calls {@link #proceed()} again
     */
    private boolean checkCache(Candidate candidate) {
        if (cachePlan == null || candidate.model() == null || cacheCheckedFor != null && sameModel(cacheCheckedFor, candidate)) {
            return true; // the same model on another host: the same answer, and this request may lead its waiters still
        }
        cacheCheckedFor = candidate;
        if (cacheLead != null) {
            // The previous candidate failed: whoever waits for its answer would wait until lmstudio.timeout.
            cacheLead.end(Optional.empty());
            cacheLead = null;
        }
        String key = context.cache().key(cachePlan, candidate.model(), bodyBytes.array(), bodyBytes.offset(), bodyBytes.length());
        if (!cachePlan.lookup()) {
            missed();
            cacheKey = key;
            return true;
        }
        context.cache().get(key).whenComplete((hit, failure) -> eventLoop.runOnContext(v -> guarded(() -> {
            if (finished) {
                return;
            }
            if (hit != null && hit.isPresent()) {
                answerFromCache(hit.get());
            } else {
                follow(key);
            }
        })));
        return false;
    }

    /** A miss: lead the identical requests, or wait (within lmstudio.timeout) for the one that leads. */
    private void follow(String key) {
        cacheKey = key;
        missed();
        InFlightAnswers.Lead lead = context.cache().join(key);
        if (lead instanceof InFlightAnswers.Leading leading) {
            cacheLead = leading;
            proceed();
            return;
        }
        CompletableFuture<Optional<CachedAnswer>> shared = ((InFlightAnswers.Following) lead).answer();
        shared.orTimeout(context.timeoutMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .whenComplete((answer, failure) -> eventLoop.runOnContext(v -> guarded(() -> {
                    if (finished) {
                        return;
                    }
                    if (answer != null && answer.isPresent()) {
                        answerFromCache(answer.get());
                    } else {
                        proceed(); // the leader had nothing to share, or took too long: upstream ourselves
                    }
                })));
    }

    /** Counted once a request, however many candidates it looks up for. */
    private void missed() {
        if (cacheResult != ResponseCache.Result.MISS) {
            cacheResult = ResponseCache.Result.MISS;
            context.cache().count(ResponseCache.Result.MISS);
        }
    }

    /** The answer from the cache, in the framing this request asked for; nothing is sent upstream. */
    private void answerFromCache(CachedAnswer answer) {
        boolean wantsStream = parsed.stream();
        byte[] bytes;
        try {
            bytes = switch (answer.kind()) {
                case PLAIN -> wantsStream ? StreamConversions.toSse(answer.body(), asksStreamUsage()) : answer.body();
                case STREAM -> wantsStream ? answer.body() : StreamConversions.toPlain(answer.body());
            };
        } catch (IllegalArgumentException unusable) {
            LOG.debugf("request %s: cached answer unusable (%s), sent upstream", requestId, unusable.getMessage());
            missed();
            proceed();
            return;
        }
        context.cache().count(ResponseCache.Result.HIT);
        cacheResult = ResponseCache.Result.HIT;
        response.setStatusCode(200);
        response.headers().set("Content-Type", wantsStream ? "text/event-stream" : "application/json");
        response.headers().set(SidecarHeaders.CACHE, ResponseCache.Result.HIT.name());
        response.headers().set("Age", Long.toString(Math.max(0, (System.currentTimeMillis() - answer.createdEpochMillis()) / 1000)));
        response.headers().set(SidecarHeaders.MODEL, answer.model());
        response.headers().set(SidecarHeaders.ATTEMPTS, "0");
        addRouteHeaders(response.headers());
        response.end(Buffer.buffer(bytes));
    }

    /**
     * The relay has the whole answer as the client got it: stored when it is complete and meant to be,
     * and handed to the identical requests waiting for it.
     */
    void recorded(CachedAnswer.Kind kind, byte[] answer) {
        if (cacheKey == null || clientGone || response.getStatusCode() != 200) {
            return;
        }
        boolean complete = switch (kind) {
            case STREAM -> StreamConversions.isComplete(answer);
            // A cut answer is not the answer, unless the request asked for that length.
            case PLAIN -> endpoint == OpenAiEndpoint.EMBEDDINGS
                    || !"length".equals(StreamConversions.finishReason(answer).orElse(null)) || limitsLength();
        };
        if (!complete) {
            return;
        }
        CachedAnswer cached = new CachedAnswer(answeringModel(), kind, answer, System.currentTimeMillis(),
                (System.nanoTime() - sentNanos) / 1_000_000);
        context.cache().store(cacheKey, cachePlan, cached);
        if (cacheLead != null) {
            cacheLead.end(Optional.of(cached));
        }
    }

    private boolean asksStreamUsage() {
        return RequestFields.asksStreamUsage(bodyBytes.array(), bodyBytes.offset(), bodyBytes.length());
    }

    private boolean limitsLength() {
        return RequestFields.limitsLength(bodyBytes.array(), bodyBytes.offset(), bodyBytes.length());
    }

    /** Whether the relays should keep a copy of the answer for the cache. */
    boolean recording() {
        return cacheKey != null;
    }

    /**
     * Runs the walk's current candidate: a local one holds one of LM Studio's slots
     * (waiting in the queue for it if need be), a cloud one does not.
     */
    private void proceed() {
        Candidate candidate = walk.current();
        placeOn(finished ? null : candidate.host()); // finish() has released it already
        if (permitHeld && permitHost != candidate.host()) {
            waiter.cancel(); // another host, or the cloud: the slot held is not the one this candidate needs
            permitHeld = false;
        }
        if (!checkCache(candidate)) {
            return;
        }
        if (lastCandidate != null && !sameModel(lastCandidate, candidate)) {
            context.metrics().fellBack(lastCandidate.provider().backend().provider(), lastCandidate.model(),
                    candidate.provider().backend().provider(), candidate.model());
        }
        lastCandidate = candidate;
        boolean local = candidate.local();
        holdModel(candidate);
        if (local && readyCandidate != candidate && !awaitModel(candidate)) {
            return;
        }
        if (local && !permitHeld && generates()) {
            permitHost = candidate.host();
            waiter = permitHost.limiter().acquire(
                    permit -> eventLoop.runOnContext(v -> {
                        permitHeld = true;
                        guarded(this::startCandidate);
                    }),
                    rejection -> eventLoop.runOnContext(v -> respondError(context.errors().queueRejected(rejection, candidate.host()))));
            return;
        }
        startCandidate();
    }

    /** The same model on LM Studio hosts both: a hand-over from one host to another, no stand-in. */
    private static boolean sameModel(Candidate a, Candidate b) {
        return a == b || a.local() && b.local() && java.util.Objects.equals(a.model(), b.model());
    }

    /** Counts the request on {@code host} from now, and no longer on the one it was placed on before. */
    private void placeOn(LMStudioHost host) {
        if (host == placedOn) {
            return;
        }
        if (placedOn != null) {
            placedOn.released();
        }
        placedOn = host;
        if (host != null) {
            host.placed();
        }
    }

    /**
     * A model that LM Studio has but not in memory is loaded first, one load shared by every
     * request that needs it, before this request takes a slot (a load is no inference).
     *
     * @return true when the model is ready now; else {@link #proceed()} runs again when it is
     */
    private boolean awaitModel(Candidate candidate) {
        // With the breaker open the attempt fails fast anyway: a load first would only delay that.
        Future<Void> ready = candidate.host().loader().beforeRequest(candidate.model(), () -> !finished,
                () -> context.breakers().isOpen(candidate.provider().backend()));
        if (ready == null) {
            ready(candidate);
            return true;
        }
        if (permitHeld) {
            waiter.cancel(); // a fallback that must wait for a load gives its slot to a request that can run
            permitHeld = false;
        }
        ready.onComplete(loaded -> eventLoop.runOnContext(v -> guarded(() -> {
            if (finished) {
                return;
            }
            if (loaded.succeeded()) {
                ready(candidate);
                proceed();
            } else {
                act(walk.unavailable(context.sanitizer().apply(candidate.host().loader().asUpstreamFailure(loaded.cause()))));
            }
        })));
        return false;
    }

    /**
     * The candidate's model is ready: the request goes to it now (once it has a slot), and the model
     * counts as in use until the lease ends, so that requests for it meanwhile need no fresh listing.
     */
    private void ready(Candidate candidate) {
        readyCandidate = candidate;
        if (modelLease != null) { // none for a request that names no model (a pass-through GET, say)
            modelLease.sending();
        }
    }

    private OpenAiRequest parse() {
        return context.parser().parse(endpoint, bodyBytes.array(), bodyBytes.offset(), bodyBytes.length(), request::getHeader);
    }

    /**
     * The current candidate's attempts, under its backend's guard (retries, circuit breaker); when the
     * guard gives up on it, the chain moves on. A candidate a health check found down fails fast.
     */
    private void startCandidate() {
        if (finished) {
            return;
        }
        Backend backend = walk.current().provider().backend();
        context.guards().run(backend, this::attempt)
                .whenComplete((opened, error) -> onEventLoop(() -> candidateDone(backend, opened, error)));
    }

    private void candidateDone(Backend backend, OpenedAnswer opened, Throwable error) {
        if (error == null) {
            opened.sendOn();
            return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (finished || cause instanceof ClientGoneException) {
            return;
        }
        if (cause instanceof AttemptFailedException failed) {
            act(walk.failed(failed.failure()));
        } else if (cause instanceof CircuitBreakerOpenException || cause instanceof MarkedDownException) {
            refusedByBreaker(backend);
        } else {
            LOG.errorf(cause, "request %s failed inside the sidecar", requestId);
            respondError(cause);
        }
    }

    private void refusedByBreaker(Backend backend) {
        BreakerDiagnosis why = context.breakers().diagnosis(backend);
        act(walk.refusedByBreaker(context.errors().circuitOpen(backend, why, context.breakers().lastFailure(backend)),
                context.errors().circuitRetryAfterMillis(backend, why, context.breakers().markedDown(backend))));
    }

    /** One call to the current candidate: the guard runs it once, and again for each retry. */
    private CompletionStage<OpenedAnswer> attempt() {
        CompletableFuture<OpenedAnswer> outcome = new CompletableFuture<>();
        onEventLoop(() -> sendAttempt(outcome));
        return outcome;
    }

    private void sendAttempt(CompletableFuture<OpenedAnswer> outcome) {
        if (finished) {
            outcome.completeExceptionally(new ClientGoneException());
            return;
        }
        // First, so that whatever fails below ends in finish(), which completes it: an attempt left
        // pending would hold a half-open breaker's probe for ever.
        pendingAttempt = outcome;
        if (call != null && !upstreamComplete) {
            call.cancel(); // the rest of the previous answer is not wanted
        }
        Candidate current = walk.current();
        if (context.breakers().markedDown(current.provider().backend())) {
            // A check found nothing listening: the call, first or retry, would only wait to be refused.
            takePendingAttempt().completeExceptionally(new MarkedDownException());
            return;
        }
        if (walk.retrying()) {
            context.metrics().retried(current.provider().backend().provider(), current.model());
        }
        walk.attemptStarted();
        sentNanos = System.nanoTime();
        upstreamComplete = false;
        call = current.provider().send(request.method(), suffixWithQuery(),
                ForwardedHeaders.toUpstream(request.headers(), requestId), bodyFor(current));
        call.response().onComplete(answered -> guarded(() -> {
            if (answered.succeeded()) {
                relay(answered.result());
            } else {
                upstreamComplete = true;
                attemptFailed(UpstreamFailure.fromTransport(current.provider().backend(), answered.cause()), Optional.empty());
            }
        }));
    }

    /** Runs {@code step} on this exchange's event loop: at once when already there. */
    private void onEventLoop(Runnable step) {
        if (Vertx.currentContext() == eventLoop) {
            guarded(step);
        } else {
            eventLoop.runOnContext(v -> guarded(step));
        }
    }

    /**
     * Holds the local model this candidate names from the moment the request is accepted for it
     * (waits for a slot or a load included), so that it is not unloaded under the request; a cloud
     * candidate holds none.
     */
    private void holdModel(Candidate current) {
        String model = current.local() ? current.model() : null;
        if (modelLease != null && modelLease.model().equals(model) && leaseHost == current.host()) {
            return;
        }
        if (modelLease != null) {
            modelLease.close();
            modelLease = null;
        }
        if (model != null) {
            leaseHost = current.host();
            modelLease = leaseHost.usage().acquire(model);
        }
    }

    private Buffer bodyFor(Candidate candidate) {
        boolean bodiless = body.length() == 0 && (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD);
        if (bodiless) {
            return null;
        }
        if (candidate.model() != null && !candidate.model().equals(parsed.model())) {
            return Buffer.buffer(context.parser().withModel(bodyBytes.array(), bodyBytes.offset(), bodyBytes.length(), candidate.model(),
                    parsed.addsStreamUsage()));
        }
        return parsed.rewrittenBody() == null ? body : Buffer.buffer(parsed.rewrittenBody());
    }

    /**
     * Before the first byte reached the client, a failed attempt goes back to the guard, which retries
     * it on the same model while its retry allows; then the chain hands the request to the next model.
     */
    void attemptFailed(UpstreamFailure rawFailure, Optional<Duration> retryAfter) {
        CompletableFuture<OpenedAnswer> attempt = takePendingAttempt();
        if (attempt == null) {
            return; // the exchange is over, or this attempt was reported already
        }
        UpstreamFailure failure = context.sanitizer().apply(rawFailure);
        Backend backend = walk.current().provider().backend();
        if (FailurePolicy.countsAgainstBackend(failure)) {
            context.breakers().recordFailure(backend, failure);
        } else {
            context.breakers().recordSuccess(backend);
        }
        boolean retryHere = walk.attemptFailed(failure, 1 + context.guards().settings(backend.name()).maxRetries());
        attempt.completeExceptionally(new AttemptFailedException(failure, retryAfter, retryHere));
    }

    /**
     * The relay found the attempt's answer good (its first chunk, or a whole answer that is no error)
     * and stops reading it here; the guard sees a success, then the answer goes to the client from here
     * on, with the upstream status and headers plus the sidecar's own, and {@code relayOn} goes on
     * relaying. No retry or fallback after this point.
     */
    void opened(HttpClientResponse upstream, Runnable relayOn) {
        CompletableFuture<OpenedAnswer> attempt = takePendingAttempt();
        if (attempt == null) {
            return;
        }
        context.breakers().recordSuccess(walk.current().provider().backend());
        upstream.pause();
        attempt.complete(() -> {
            if (finished) {
                return; // the end of the exchange resets the upstream request
            }
            commit(upstream);
            // Before relayOn: its write may pause the upstream again for a slow client (Backpressure), and that
            // pause must win. What waited is delivered after this handler returns, behind relayOn's write.
            upstream.resume();
            relayOn.run();
        });
    }

    private CompletableFuture<OpenedAnswer> takePendingAttempt() {
        CompletableFuture<OpenedAnswer> attempt = pendingAttempt;
        pendingAttempt = null;
        return attempt;
    }

    private void act(ChainWalk.Decision decision) {
        switch (decision) {
            case NEXT_CANDIDATE -> proceed();
            case GIVE_UP -> respondError(finalError());
        }
    }

    /** One candidate's failure speaks for itself; a whole chain that failed is a 503 naming each. */
    private ApiError finalError() {
        ApiError error;
        List<String> tried = walk.tried();
        if (tried.size() > 1) {
            noneAnswered = true;
            error = ApiError.modelUnavailable("No model could answer this request. Tried: " + String.join("; ", tried)
                    + ". " + walk.firstLocal().map(local -> "Load one of them (e.g. `lms load " + local.model() + "`), check").orElse("Check")
                    + " GET /v1/models, or allow the cloud fallback (lmstudio.enable-cloud-fallback, X-Sidecar-Fallback-To-Cloud).");
        } else {
            error = upstreamError(walk.lastFailure());
        }
        long circuitRetryAfter = walk.circuitRetryAfterMillis();
        if (circuitRetryAfter > 0) {
            error = error.withHeader("Retry-After", Long.toString(Math.max(1, (circuitRetryAfter + 999) / 1000)));
        }
        // The sidecar already retried (or its policy ruled it out), or failed fast on purpose (an open
        // breaker): an SDK that retried too would multiply the calls, or wait out Retry-After, for nothing.
        // Retry-After stays, as information. Only a plain refusal from upstream (a 4xx) passes as it came.
        boolean sidecarsVerdict = walk.attempts() != 1 || tried.size() > 1
                || FailurePolicy.retryable(walk.lastFailure());
        return sidecarsVerdict ? error.withHeader(SidecarHeaders.SHOULD_RETRY, "false") : error;
    }

    private void commit(HttpClientResponse upstream) {
        response.setStatusCode(upstream.statusCode());
        ForwardedHeaders.copyToClient(upstream.headers(), response.headers());
        addSidecarHeaders(true);
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

    /**
     * Runs a step of the exchange from an asynchronous callback: a bug there must still end in an
     * OpenAI error for the client and a released slot, not a request left hanging.
     */
    private void guarded(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException bug) {
            LOG.errorf(bug, "request %s failed inside the sidecar", requestId);
            respondError(bug);
        }
    }

    void respondError(Throwable failure) {
        respondError(failure instanceof ApiException api ? api.error() : ApiError.internal(
                "The sidecar failed on this request (" + failure.getClass().getSimpleName() + "); the request id is " + requestId + "."));
    }

    void respondError(ApiError error) {
        if (response.ended() || response.closed()) {
            return;
        }
        answeredWith(error);
        if (response.headWritten()) {
            // Too late for a status: breaking the connection is the only honest way to say
            // that the body the client has is not the whole answer.
            response.reset();
            // The exchange is over now. On HTTP/1.1 that reset closes the connection only once the client took
            // what is queued, and tells nothing to the end or close handlers: finish() would wait on the client.
            finish();
            return;
        }
        response.headers().clear(); // upstream headers copied for a success that did not happen
        response.setStatusCode(error.status());
        response.headers().set(SidecarHeaders.REQUEST_ID, requestId);
        response.headers().set("Content-Type", "application/json");
        error.headers().forEach(response.headers()::set);
        addSidecarHeaders(false);
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

    /**
     * The client is told {@code error}: in place of the answer, or at the end of a stream cut short.
     * The metrics count it; a 5xx, or a stream cut, is logged once (a bug was logged with its stack trace already).
     */
    void answeredWith(ApiError error) {
        answeredError = error;
        if (error.status() >= 500 && !ApiError.INTERNAL_ERROR.equals(error.code())) {
            context.serverErrorLog().log(requestId, request.method().name(), OPENAI_PREFIX + suffix, answeringModel(), error);
        }
    }

    ApiError upstreamError(UpstreamFailure rawFailure) {
        UpstreamFailure failure = context.sanitizer().apply(rawFailure);
        String model = answeringModel();
        return context.errors().toApiError(failure, model, request.method().name(), OPENAI_PREFIX + suffix);
    }

    UpstreamFailure transportFailure(Throwable error) {
        return UpstreamFailure.fromTransport(backend(), error);
    }

    /** The backend of the attempt under way (LM Studio before any, or when none answered). */
    Backend backend() {
        return walk == null || noneAnswered ? context.chain().primaryBackend() : walk.current().provider().backend();
    }

    /** The model of the attempt under way, else the one asked for. */
    private String answeringModel() {
        if (walk != null && !noneAnswered && walk.current().model() != null) {
            return walk.current().model();
        }
        return parsed == null ? null : parsed.model();
    }

    @Override
    public void endForShutdown() {
        eventLoop.runOnContext(v -> {
            if (finished || response.ended() || response.closed()) {
                return;
            }
            String contentType = response.headers().get("Content-Type");
            boolean streaming = response.headWritten() && contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17);
            ApiError error = ApiError.shuttingDown("The sidecar is shutting down: this request ran past sidecar.shutdown.grace-period ("
                    + context.shutdown().gracePeriodMillis() + " ms)" + (streaming ? "; the answer above is incomplete." : "."));
            if (streaming) {
                answeredWith(error);
                response.end(StreamRelay.errorEvent(error));
            } else {
                respondError(error);
            }
        });
    }

    /**
     * A stream's first chunk: its time to first token teaches the router this model's latency for the task. A plain
     * answer's head comes only when the whole answer is generated: that would teach the generation time instead.
     */
    void firstTokenArrived() {
        Candidate current = walk.current();
        if (task != null && current.local() && current.model() != null) {
            context.router().answered(current.model(), task, (System.nanoTime() - sentNanos) / 1_000_000);
        }
    }

    /**
     * Whether the request may make LM Studio generate, and so needs one of its slots (lmstudio.max-concurrent-requests).
     * A GET or HEAD (the model list, a model) never does: it must not wait behind five long streams.
     */
    private boolean generates() {
        return request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD;
    }

    OpenAiEndpoint endpoint() {
        return endpoint;
    }

    ProxyContext context() {
        return context;
    }

    /** What the metrics learn of this request, or null when nothing is measured. */
    RequestObservation observation() {
        return observation;
    }

    /** The sidecar asked upstream for the stream's usage on the client's behalf: that chunk is not the client's. */
    boolean addsStreamUsage() {
        return parsed != null && parsed.addsStreamUsage();
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

    /** How the relays write the answer to this client: pausing upstream for it, and cutting it when it stops reading. */
    Backpressure backpressure(HttpClientResponse upstream, IdleTimer upstreamStall) {
        return new Backpressure(context.vertx(), upstream, response, upstreamStall, context.clientWriteTimeoutMillis(),
                this::clientStoppedReading);
    }

    /**
     * The client took none of the answer for sidecar.client-write-timeout: it is cut (the connection closed
     * at once, what is queued for it dropped), and the exchange ends, which resets the upstream request and
     * frees the slot. Also after the answer ended: the connection and what is queued on it are freed then.
     */
    private void clientStoppedReading() {
        LOG.debugf("request %s: the client read nothing for %d ms (sidecar.client-write-timeout): cut", requestId,
                context.clientWriteTimeoutMillis());
        if (!response.ended()) {
            clientGone = true;
        }
        if (request.version() == HttpVersion.HTTP_2) {
            response.reset(); // the stream only: the connection's other streams go on
        } else if (request.connection() instanceof ConnectionBase connection) {
            // Not connection.close(): that too waits until the queued bytes are written, which is never.
            connection.channel().close();
        } else {
            request.connection().close();
        }
        finish();
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
        context.shutdown().ended(this);
        if (!upstreamComplete) {
            cancelUpstream();
        }
        if (waiter != null) {
            waiter.cancel(); // leaves the queue, or gives the permit back
        }
        CompletableFuture<OpenedAnswer> attempt = takePendingAttempt();
        if (attempt != null) {
            attempt.completeExceptionally(new ClientGoneException()); // nothing learnt of the backend: no retry, no failure
        }
        bodyBudget.close();
        placeOn(null);
        if (modelLease != null) {
            modelLease.close();
        }
        if (cacheLead != null) {
            cacheLead.end(Optional.empty()); // nothing stored (or stored already): the waiters go upstream
        }
        // A cache hit asked nothing of a model: the GenAI metrics leave it out, the cache's count it.
        if (observation != null && cacheResult != ResponseCache.Result.HIT) {
            recordMetrics();
        }
    }

    private void recordMetrics() {
        Outcome outcome;
        String errorType;
        // The error first: the sidecar breaking a connection to say "incomplete" also looks like a client gone.
        if (answeredError != null) {
            outcome = Outcome.ofStatus(answeredError.status());
            errorType = ErrorTypes.of(answeredError.status(), answeredError.code());
        } else if (clientGone || !response.ended()) {
            // Vert.x runs the end handler for a connection that closed too, before the close handler.
            outcome = Outcome.CANCELLED;
            errorType = ErrorTypes.CANCELLED;
        } else {
            outcome = Outcome.ofStatus(response.getStatusCode());
            errorType = outcome == Outcome.SUCCESS ? ErrorTypes.NONE : ErrorTypes.of(response.getStatusCode(), null);
        }
        context.metrics().record(observation, answeringModel(), backend().provider(), outcome, errorType);
    }

    /** @param answered a model's answer follows: only then are the model, and any stand-in, named */
    private void addSidecarHeaders(boolean answered) {
        MultiMap headers = response.headers();
        if (endpoint.generates()) {
            headers.set(SidecarHeaders.CACHE, cacheResult.name());
        }
        headers.set(SidecarHeaders.PROVIDER, backend().provider());
        headers.set(SidecarHeaders.ATTEMPTS, Integer.toString(walk == null ? 0 : walk.attempts()));
        addRouteHeaders(headers);
        if (!answered) {
            return;
        }
        String model = answeringModel();
        if (model != null) {
            headers.set(SidecarHeaders.MODEL, model);
        }
        headers.set(SidecarHeaders.HOST, walk.current().provider().backend().name());
        if (walk.current().fallback()) {
            headers.set(SidecarHeaders.FALLBACK, walk.current().label());
        }
    }

    /** On every answer to a routed request, a hit or an error included: the task and why this model. */
    private void addRouteHeaders(MultiMap headers) {
        if (route != null) {
            headers.set(SidecarHeaders.TASK, route.classification().headerValue());
            Candidate answering = walk == null ? null : walk.current();
            boolean standIn = answering != null && answering.fallback() && cacheResult != ResponseCache.Result.HIT;
            headers.set(SidecarHeaders.ROUTE_REASON, standIn
                    ? RouteReasoning.headerSafe(answering.label() + " stood in for the chosen model; chosen: " + route.reasoning())
                    : route.reasoning());
        }
    }

    private String suffixWithQuery() {
        String query = request.query();
        return query == null ? suffix : suffix + "?" + query;
    }
}
