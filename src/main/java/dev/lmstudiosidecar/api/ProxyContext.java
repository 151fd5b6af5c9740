package dev.lmstudiosidecar.api;

import dev.lmstudiosidecar.resilience.BackendBreakers;
import dev.lmstudiosidecar.resilience.RetryPolicy;
import dev.lmstudiosidecar.routing.FallbackChain;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioErrorReader;
import dev.lmstudiosidecar.resilience.ConcurrencyLimiter;
import io.vertx.core.Vertx;

/** What every {@link ProxyExchange} needs, built once. */
record ProxyContext(
        Vertx vertx,
        FallbackChain chain,
        BackendBreakers breakers,
        RetryPolicy retryPolicy,
        ConcurrencyLimiter limiter,
        OpenAiRequestParser parser,
        LMStudioErrorReader errorReader,
        UpstreamErrors errors,
        RequestBodyBudget bodyBudget,
        long maxRequestBodyBytes,
        long timeoutMillis,
        long streamIdleTimeoutMillis) {
}
