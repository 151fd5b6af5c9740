package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.fleet.LMStudioHost;
import dev.lmstudiosidecar.provider.ProviderAdapter;

/**
 * One place a request can be answered: a model on an LM Studio host, or on the cloud provider.
 *
 * @param provider where it goes
 * @param model    the model to ask for, or null to forward the request's own (none named)
 * @param fallback true when it stands in for what the caller asked
 */
public record Candidate(ProviderAdapter provider, String model, boolean fallback) {

    /** Served by an LM Studio host (its concurrency limit, loads and usage apply). */
    public boolean local() {
        return provider.backend().local();
    }

    /** The LM Studio host; null for the cloud. */
    public LMStudioHost host() {
        return provider instanceof LMStudioHost host ? host : null;
    }

    /** How headers and messages name it: the model, prefixed with the provider when it is not LM Studio. */
    public String label() {
        String name = model == null ? "(default model)" : model;
        return local() ? name : provider.backend().name() + ":" + name;
    }
}
