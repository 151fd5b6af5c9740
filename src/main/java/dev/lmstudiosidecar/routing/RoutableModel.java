package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.models.ModelCapabilities;
import java.util.Objects;

/**
 * A model LM Studio has, as the selector weighs it.
 *
 * @param capabilities what it can do and costs (catalog, capability file or inference); its {@code modelName} is the key to ask for
 * @param loaded       in memory now
 * @param embedding    an embedding model: never a chat candidate
 */
public record RoutableModel(ModelCapabilities capabilities, boolean loaded, boolean embedding) {

    public RoutableModel {
        Objects.requireNonNull(capabilities, "capabilities");
    }

    public String name() {
        return capabilities.modelName();
    }
}
