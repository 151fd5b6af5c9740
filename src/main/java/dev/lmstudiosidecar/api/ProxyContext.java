package dev.lmstudiosidecar.api;

import dev.lmstudiosidecar.provider.lmstudio.LMStudioClient;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioErrorReader;
import dev.lmstudiosidecar.resilience.ConcurrencyLimiter;
import io.vertx.core.Vertx;

/** What every {@link ProxyExchange} needs, built once. */
record ProxyContext(
        Vertx vertx,
        LMStudioClient client,
        ConcurrencyLimiter limiter,
        OpenAiRequestParser parser,
        LMStudioErrorReader errorReader,
        UpstreamErrors errors,
        RequestBodyBudget bodyBudget,
        long maxRequestBodyBytes,
        long timeoutMillis,
        long streamIdleTimeoutMillis) {
}
