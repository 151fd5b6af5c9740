package dev.lmstudiosidecar.api;

import dev.lmstudiosidecar.cache.ResponseCache;
import dev.lmstudiosidecar.metrics.RequestMetrics;
import dev.lmstudiosidecar.metrics.UsageReader;
import dev.lmstudiosidecar.resilience.BackendBreakers;
import dev.lmstudiosidecar.resilience.BackendGuards;
import dev.lmstudiosidecar.routing.FallbackChain;
import dev.lmstudiosidecar.routing.TaskRouter;
import dev.lmstudiosidecar.shutdown.GracefulShutdown;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioErrorReader;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import io.vertx.core.Vertx;
import java.util.function.UnaryOperator;

/**
 * What every {@link ProxyExchange} needs, built once.
 *
 * @param sanitizer makes an upstream failure fit to show the app (the cloud key never is)
 */
record ProxyContext(
        Vertx vertx,
        FallbackChain chain,
        TaskRouter router,
        GracefulShutdown shutdown,
        BackendBreakers breakers,
        BackendGuards guards,
        OpenAiRequestParser parser,
        LMStudioErrorReader errorReader,
        UpstreamErrors errors,
        ServerErrorLog serverErrorLog,
        UnaryOperator<UpstreamFailure> sanitizer,
        RequestBodyBudget bodyBudget,
        RequestMetrics metrics,
        UsageReader usageReader,
        ResponseCache cache,
        long maxRequestBodyBytes,
        long requestBodyTimeoutMillis,
        long timeoutMillis,
        long streamIdleTimeoutMillis,
        long clientWriteTimeoutMillis) {
}
