package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.provider.BackendClient;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioClient;

/**
 * One place a request can be answered: a model on a backend.
 *
 * @param model    the model to ask for, or null to forward the request's own (none named)
 * @param fallback true when it stands in for what the caller asked
 */
public record Candidate(BackendClient client, String model, boolean fallback) {

    /** Served by the LM Studio this sidecar stands beside (its concurrency limit applies). */
    public boolean local() {
        return client.backend().name().equals(LMStudioClient.BACKEND_NAME);
    }

    /** How headers and messages name it: the model, prefixed with the provider when it is not LM Studio. */
    public String label() {
        String name = model == null ? "(default model)" : model;
        return local() ? name : client.backend().name() + ":" + name;
    }
}
