package dev.lmstudiosidecar.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmstudiosidecar.fleet.LMStudioHost;
import dev.lmstudiosidecar.models.CapabilityCatalog;
import dev.lmstudiosidecar.models.DiscoveredModel;
import dev.lmstudiosidecar.models.ListingOutcome;
import dev.lmstudiosidecar.models.ModelInventory;
import dev.lmstudiosidecar.provider.ProviderAdapter.ProviderLoad;
import dev.lmstudiosidecar.resilience.BackendBreakers;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/** {@code GET /admin/hosts}, and the hosts of each model in {@code GET /admin/models}: what the sidecar knows of each LM Studio host. */
final class HostsView {

    private final ObjectMapper json;
    private final BackendBreakers breakers;

    HostsView(ObjectMapper json, BackendBreakers breakers) {
        this.json = json;
        this.breakers = breakers;
    }

    /** @param source the setting the hosts come from */
    ObjectNode hosts(String source, List<LMStudioHost> hosts, CapabilityCatalog catalog) {
        ObjectNode root = json.createObjectNode().put("source", source);
        ArrayNode data = root.putArray("hosts");
        for (LMStudioHost host : hosts) {
            ObjectNode node = data.addObject()
                    .put("name", host.name())
                    .put("baseUrl", host.backend().openAiBase().toString())
                    .put("healthy", host.healthy())
                    .put("breaker", breakers.state(host.backend()).name().toLowerCase(Locale.ROOT).replace('_', '-'));
            ListingOutcome last = host.lastListing();
            node.put("lastCheck", last == null ? null : last.finishedAt().toString());
            node.put("responseTime", last == null ? null : last.tookMillis());
            node.put("lastError", last == null || last.succeeded() ? null : last.failure().message());
            ProviderLoad load = host.load();
            node.put("placed", load.placed()).put("inFlight", load.inFlight()).put("queued", load.queued()).put("maxConcurrentRequests", load.limit())
                    .put("weight", host.settings().weight());
            host.settings().memoryBudget().ifPresentOrElse(budget -> node.put("memoryBudgetGB", AdminJson.round(budget.bytes() / (double) (1L << 30))),
                    () -> node.putNull("memoryBudgetGB"));
            OptionalDouble free = host.freeMemoryGB(catalog);
            node.put("freeMemoryGB", free.isPresent() ? AdminJson.round(free.getAsDouble()) : null);
            ModelInventory inventory = host.availableModels();
            node.put("source", inventory.known() ? inventory.api().path() : null);
            node.put("models", inventory.models().size());
            ArrayNode loaded = node.putArray("loadedModels");
            inventory.models().stream().filter(DiscoveredModel::loaded).forEach(model -> loaded.add(model.key()));
        }
        return root;
    }

    /** Adds to each model of an {@code /admin/models} answer the hosts that list it, with its state and instances there. */
    void addHosts(ObjectNode models, List<LMStudioHost> hosts) {
        for (var item : models.withArray("data")) {
            ObjectNode model = (ObjectNode) item;
            ArrayNode on = model.putArray("hosts");
            String key = model.path("id").asText();
            for (LMStudioHost host : hosts) {
                host.availableModels().find(key).ifPresent(found -> {
                    ObjectNode node = on.addObject().put("name", host.name()).put("state", found.state().wireName());
                    ArrayNode instances = node.putArray("instances");
                    found.instances().forEach(instance -> instances.add(instance.id()));
                });
            }
        }
    }

}
