package dev.lmstudiosidecar.models;

/**
 * One model as the sidecar sees it: what the catalog says it can do, and what the server says of
 * it now.
 *
 * @param discovered what the last listing said, or null for a catalog entry the server does not have
 */
public record ModelInfo(String key, ModelCapabilities capabilities, CapabilitySource source, DiscoveredModel discovered) {

    /** Where the capabilities came from. */
    public enum CapabilitySource {
        BUILT_IN, FILE, INFERRED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** {@code loaded}, {@code not-loaded}, {@code unknown} (the server does not say), or {@code not-downloaded}. */
    public String state() {
        return discovered == null ? "not-downloaded" : discovered.state().wireName();
    }

    public boolean loaded() {
        return discovered != null && discovered.loaded();
    }

    /** What the model holds in the host's memory now, in GB (GiB): its file size per loaded copy, else the catalog's figure. */
    public double memoryHeldGB() {
        return loaded() ? heldGB(discovered, capabilities.memoryRequirementGB()) : 0;
    }

    /** What a loaded model holds, in GiB: its file size per loaded copy, else {@code requirementGB} (the catalog's figure) per copy. */
    public static double heldGB(DiscoveredModel loaded, double requirementGB) {
        int copies = Math.max(1, loaded.instances().size());
        return copies * (loaded.sizeBytes() > 0 ? loaded.sizeBytes() / (double) (1L << 30) : requirementGB);
    }
}
