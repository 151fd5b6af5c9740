package dev.lmstudiosidecar.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmstudiosidecar.models.ModelInventory;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code GET /v1/models} as the app sees it: LM Studio's list, then {@code auto} and {@code auto:<task>}, so that
 * SDKs and UIs that pick a model from the list can pick routing.
 */
final class AutoModelListing {

    static final String OWNER = "lmstudio-sidecar";
    private static final ObjectMapper JSON = new ObjectMapper(new JsonFactory());

    private AutoModelListing() {
    }

    /** {@code GET /v1/models/auto}: the sidecar's own entry, as an SDK's {@code models.retrieve("auto")} expects it. */
    static Buffer model(String id) {
        return Buffer.buffer(entry(id).toString());
    }

    private static ObjectNode entry(String id) {
        return JSON.createObjectNode().put("id", id).put("object", "model").put("created", 0).put("owned_by", OWNER);
    }

    /**
     * With several LM Studio hosts: every model any of them lists (the fleet's inventory), as one OpenAI list, then the
     * routing entries. One host's answer would name only its own models, and a different list each time.
     */
    static Buffer ofFleet(ModelInventory inventory) {
        ObjectNode root = JSON.createObjectNode().put("object", "list");
        ArrayNode data = root.putArray("data");
        inventory.models().forEach(model -> data.addObject().put("id", model.key()).put("object", "model").put("owned_by", "organization_owner"));
        try {
            return withAutoModels(Buffer.buffer(JSON.writeValueAsBytes(root)));
        } catch (IOException cannot) {
            throw new IllegalStateException(cannot);
        }
    }

    /** The listing with the routing entries appended; a body that is not an OpenAI list is returned as it is. */
    static Buffer withAutoModels(Buffer listing) {
        JsonNode root;
        try {
            root = JSON.readTree(listing.getBytes());
        } catch (IOException notJson) {
            return listing;
        }
        if (root == null || !(root.get("data") instanceof ArrayNode data)) {
            return listing;
        }
        Set<String> listed = new HashSet<>();
        data.forEach(model -> listed.add(model.path("id").asText()));
        for (String id : OpenAiRequest.AUTO_MODELS) {
            if (listed.add(id)) {
                data.add(entry(id));
            }
        }
        try {
            return Buffer.buffer(JSON.writeValueAsBytes(root));
        } catch (IOException cannot) {
            return listing;
        }
    }
}
