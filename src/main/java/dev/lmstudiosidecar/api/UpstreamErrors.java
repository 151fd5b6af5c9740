package dev.lmstudiosidecar.api;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.resilience.BreakerDiagnosis;
import dev.lmstudiosidecar.fleet.LMStudioHost;
import dev.lmstudiosidecar.resilience.ConcurrencyLimiter;
import java.time.Duration;
import java.util.Optional;

/**
 * Turns a provider's {@link UpstreamFailure} into what the client is told: the OpenAI error with
 * the right status, and words that say what was tried and what to do about it.
 */
public final class UpstreamErrors {

    private final LMStudioConfig config;

    public UpstreamErrors(LMStudioConfig config) {
        this.config = config;
    }

    public ApiError toApiError(UpstreamFailure failure, String model, String method, String path) {
        String where = where(failure.backend());
        return switch (failure.kind()) {
            case MODEL_NOT_FOUND -> ApiError.modelNotFound(model, "LM Studio said: " + failure.message());
            case MODEL_NOT_LOADED -> ApiError.modelUnavailable("The model " + quoted(model) + " is not loaded on " + where
                    + " (LM Studio said: " + failure.message() + "). Load it with `lms load " + (model == null ? "<model>" : model)
                    + "`, turn on JIT loading in LM Studio, or pick a loaded model from GET /v1/models.");
            case UNKNOWN_ENDPOINT -> ApiError.unknownEndpoint(method, path);
            case REJECTED -> ApiError.upstream(failure.upstreamStatus(), ApiError.INVALID_REQUEST,
                    failure.code(), failure.param(), failure.message());
            case SERVER_ERROR -> ApiError.badUpstream(where + " failed (HTTP " + failure.upstreamStatus() + "): " + failure.message());
            case UNREACHABLE -> ApiError.backendUnreachable(where + " is not reachable (" + failure.message() + ")." + startHint(failure.backend()));
            case CIRCUIT_OPEN -> ApiError.backendUnreachable("The sidecar sent nothing to " + where + ": " + failure.message());
            // A model-management timeout names its own bound in its message; an inference one is lmstudio.timeout.
            case TIMEOUT -> ApiError.upstreamTimeout(failure.boundSetting() != null
                    ? where + " timed out: " + failure.message() + "."
                    : where + " timed out: " + failure.message() + " (bound: " + config.timeout().toMillis()
                    + " ms, lmstudio.timeout). A model that loads on first use can take longer: load it ahead or raise lmstudio.timeout.");
            case POOL_EXHAUSTED -> ApiError.queueFull(1, "Every connection to " + where
                    + " is busy and its wait queue is full. Retry shortly, or raise lmstudio.max-concurrent-requests"
                    + " or lmstudio.max-queued-requests.");
            case CONNECTION_LOST -> ApiError.badUpstream("The connection to " + where
                    + " broke before its answer was complete (" + failure.message() + ").");
        };
    }

    /**
     * What an open breaker knows, not more: the backend may be back already, so it is called
     * unreachable only when the last failure said so, and the error says when a call goes through again.
     */
    public UpstreamFailure circuitOpen(Backend backend, BreakerDiagnosis diagnosis, Optional<UpstreamFailure> lastFailure) {
        boolean unreachable = lastFailure.filter(last -> last.kind() == UpstreamFailure.Kind.UNREACHABLE).isPresent();
        // LM Studio's health check lets calls through as soon as it finds LM Studio answering again.
        Duration checks = unreachable ? config.healthCheck().downInterval() : config.healthCheckInterval();
        String sooner = diagnosis.retryAfterMillis() > 0 && backend.local()
                ? " Sooner if the health check (every " + Math.min(checks.toMillis(), config.healthCheckInterval().toMillis())
                        + " ms now) finds it answering."
                : "";
        return new UpstreamFailure(UpstreamFailure.Kind.CIRCUIT_OPEN, backend, 0, "its circuit breaker is open: " + diagnosis.summary() + "."
                + sooner + (unreachable ? startHint(backend) : ""), null, null);
    }

    /**
     * When to try again after an open breaker refused a call: its open time left, but for LM Studio at
     * most until its next check, since a check that finds it answering lets calls through: one
     * {@code health-check.down-interval} when a check found nothing listening, else one interval.
     *
     * @param markedDown a check found nothing listening at the backend's address
     */
    public long circuitRetryAfterMillis(Backend backend, BreakerDiagnosis diagnosis, boolean markedDown) {
        long left = diagnosis.retryAfterMillis();
        Duration nextCheck = markedDown ? config.healthCheck().downInterval() : config.healthCheckInterval();
        return backend.local() && left > 0
                ? Math.min(left, Math.max(1, Math.min(nextCheck.toMillis(), config.healthCheckInterval().toMillis())))
                : left;
    }

    private static String startHint(Backend backend) {
        if (!backend.local()) {
            return " Check cloud.base-url.";
        }
        return " Start its server with `lms server start` (or Developer > Start Server in the app), or " + (backend.name().equals(Backend.LMSTUDIO)
                ? "point the sidecar at it with LMSTUDIO_URL." : "check its address (lmstudio.hosts." + backend.name() + ".base-url, or lmstudio.hosts-dns).");
    }

    ApiError queueRejected(ConcurrencyLimiter.Rejection rejection, LMStudioHost host) {
        String where = Backend.LMSTUDIO.equals(host.name()) ? "LM Studio" : "LM Studio host " + host.name();
        String why = rejection == ConcurrencyLimiter.Rejection.QUEUE_FULL
                ? config.maxQueuedRequests() + " requests already wait for one of the " + host.settings().maxConcurrentRequests() + " slots to " + where
                : "no slot to " + where + " came free within " + config.maxQueueWait().toMillis() + " ms (lmstudio.max-queue-wait)";
        return ApiError.queueFull(1, "The sidecar is at its concurrency limit: " + why
                + ". Retry shortly, or raise lmstudio.max-concurrent-requests or lmstudio.max-queued-requests.");
    }

    /** A stream that went silent after it started; the client already has part of it. */
    ApiError streamStalled(long idleMillis) {
        return ApiError.upstreamTimeout("LM Studio sent no chunk for " + idleMillis
                + " ms in the middle of the stream (lmstudio.stream-idle-timeout); the answer above is incomplete.");
    }

    /**
     * A stream whose connection ended cleanly inside an event: the client already has part of it, and
     * that event, cut, will never be whole. Not a stall, not a reset: the server sent a short answer.
     */
    ApiError streamCutMidEvent(Backend backend) {
        return ApiError.badUpstream(where(backend) + " ended the stream in the middle of an event, without [DONE]; the answer above is incomplete.");
    }

    private static String where(Backend backend) {
        return (backend.local() ? "LM Studio at " : "The " + backend.name() + " provider at ") + backend.openAiBase();
    }

    private static String quoted(String model) {
        return model == null ? "(none named)" : "'" + model + "'";
    }
}
