package dev.lmstudiosidecar.models;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.models.ModelInfo.CapabilitySource;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The capability catalog as configured (built in, then the user's file over it) joined with what
 * discovery found: every listed model gets its catalog entry, or one inferred from its metadata.
 * The joined catalog is worked out once per listing, not per request.
 */
@Singleton
public class ModelDirectory {

    private final ModelDiscovery discovery;
    private final CapabilityCatalog configured;
    /** Lower-cased names of the entries the user's file gave. */
    private final Set<String> fromFile = new HashSet<>();
    private volatile Joined joined = new Joined(null, null, List.of());

    /** @param models what {@link #models()} answers for this listing: worked out once, read by every routed request */
    private record Joined(ModelInventory inventory, CapabilityCatalog catalog, List<ModelInfo> models) {
    }

    ModelDirectory(ModelDiscovery discovery, LMStudioConfig config) {
        this.discovery = discovery;
        this.configured = config.capabilitiesFile().map(this::withFile).orElse(CapabilityCatalog.builtIn());
    }

    /** A bad file stops the start with one line that names the file and the line in it. */
    private CapabilityCatalog withFile(java.nio.file.Path file) {
        CapabilityCatalog builtIn = CapabilityCatalog.builtIn();
        try {
            List<ModelCapabilities> entries = CapabilityFile.read(file, builtIn);
            entries.forEach(entry -> fromFile.add(entry.modelName().toLowerCase(Locale.ROOT)));
            return builtIn.withEntries(entries);
        } catch (CapabilityFileException bad) {
            throw new ConfigurationException("lmstudio.capabilities-file " + bad.getMessage());
        }
    }

    /**
     * The configured catalog plus, for each listed model, an inferred entry when it has none, or its
     * file entry completed by inference where the entry leaves figures unknown.
     */
    public CapabilityCatalog catalog() {
        return join().catalog();
    }

    private Joined join() {
        ModelInventory inventory = discovery.inventory();
        Joined current = joined;
        if (current.inventory() == inventory) {
            return current;
        }
        List<ModelCapabilities> added = new ArrayList<>();
        Set<String> filled = new HashSet<>();
        for (DiscoveredModel model : inventory.models()) {
            Optional<ModelCapabilities> entry = configured.find(model.key());
            if (entry.isEmpty()) {
                added.add(CapabilityInference.infer(model));
            } else if (isFromFile(entry.get()) && CapabilityInference.hasUnknowns(entry.get())) {
                added.add(CapabilityInference.fillUnknown(entry.get(), model));
                filled.add(model.key().toLowerCase(Locale.ROOT));
            }
        }
        CapabilityCatalog catalog = added.isEmpty() ? configured : configured.withEntries(added);
        Joined fresh = new Joined(inventory, catalog, models(inventory, catalog, filled));
        joined = fresh;
        return fresh;
    }

    /** Every listed model, then every concrete catalog entry the server does not have. */
    public List<ModelInfo> models() {
        return join().models();
    }

    /** @param filled lower-cased keys of listed models whose file entry was completed by inference */
    private List<ModelInfo> models(ModelInventory inventory, CapabilityCatalog catalog, Set<String> filled) {
        List<ModelInfo> all = new ArrayList<>();
        Set<String> listed = new HashSet<>();
        for (DiscoveredModel model : inventory.models()) {
            ModelCapabilities capabilities = catalog.find(model.key()).orElseGet(() -> CapabilityInference.infer(model));
            all.add(new ModelInfo(model.key(), capabilities, sourceOf(capabilities, filled), model));
            listed.add(model.key().toLowerCase(Locale.ROOT));
        }
        for (ModelCapabilities entry : configured.all()) {
            if (!entry.isGlob() && !listed.contains(entry.modelName().toLowerCase(Locale.ROOT))) {
                all.add(new ModelInfo(entry.modelName(), entry, sourceOf(entry, filled), null));
            }
        }
        return List.copyOf(all);
    }

    public Optional<ModelInfo> model(String key) {
        return models().stream().filter(info -> info.key().equals(key)).findFirst();
    }

    private boolean isFromFile(ModelCapabilities entry) {
        return fromFile.contains(entry.modelName().toLowerCase(Locale.ROOT));
    }

    private CapabilitySource sourceOf(ModelCapabilities capabilities, Set<String> filled) {
        if (capabilities.inferred()) {
            return CapabilitySource.INFERRED;
        }
        boolean file = isFromFile(capabilities) || filled.contains(capabilities.modelName().toLowerCase(Locale.ROOT));
        return file ? CapabilitySource.FILE : CapabilitySource.BUILT_IN;
    }
}
