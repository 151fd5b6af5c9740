package dev.lmstudiosidecar.api;

import dev.lmstudiosidecar.provider.lmstudio.LMStudioClient;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioErrorReader;

/** What every {@link ProxyExchange} needs, built once. */
record ProxyContext(
        LMStudioClient client,
        OpenAiRequestParser parser,
        LMStudioErrorReader errorReader,
        UpstreamErrors errors,
        long maxRequestBodyBytes) {
}
