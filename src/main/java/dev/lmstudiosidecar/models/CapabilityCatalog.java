package dev.lmstudiosidecar.models;

import static dev.lmstudiosidecar.models.TaskType.ANALYSIS;
import static dev.lmstudiosidecar.models.TaskType.CODING;
import static dev.lmstudiosidecar.models.TaskType.CREATIVE;
import static dev.lmstudiosidecar.models.TaskType.GENERAL;
import static dev.lmstudiosidecar.models.TaskType.RESEARCH;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The models the sidecar knows something about, looked up by model key. Immutable: adding
 * entries gives a new catalog, so one can be shared between threads and swapped whole.
 *
 * <p>Names are compared case-insensitively, because LM Studio keys and what clients type differ
 * in case. A key that names an entry exactly wins; otherwise the entries whose names are globs
 * are tried, the latest added first, so configuration layered on top of the built-in entries
 * can narrow or replace a broader pattern.
 */
public final class CapabilityCatalog {

    private static final CapabilityCatalog BUILT_IN = new CapabilityCatalog(Map.of(), List.of(
            new ModelCapabilities("deepseek-coder-34b", "lmstudio", 34_000_000_000L, "Q4_K_M", 20, 32768,
                    Set.of(CODING, ANALYSIS, RESEARCH),
                    Map.of(CODING, 95, RESEARCH, 75, CREATIVE, 60, ANALYSIS, 85, GENERAL, 70),
                    20, true,
                    Map.of(CODING, 1200, ANALYSIS, 1500, RESEARCH, 2000),
                    false),
            new ModelCapabilities("llama-3-70b", "lmstudio", 70_000_000_000L, "Q4_K_M", 40, 8192,
                    Set.of(RESEARCH, CREATIVE, ANALYSIS, GENERAL),
                    Map.of(CODING, 80, RESEARCH, 95, CREATIVE, 95, ANALYSIS, 90, GENERAL, 90),
                    40, true,
                    Map.of(RESEARCH, 2500, CREATIVE, 2000, ANALYSIS, 2200),
                    false),
            new ModelCapabilities("phi-3-mini", "lmstudio", 3_800_000_000L, "Q4_K_M", 3, 4096,
                    Set.of(GENERAL, CODING, ANALYSIS),
                    Map.of(CODING, 70, RESEARCH, 65, CREATIVE, 60, ANALYSIS, 75, GENERAL, 80),
                    3, false,
                    Map.of(GENERAL, 500, CODING, 600, ANALYSIS, 700),
                    false)));

    /** Every entry by lower-cased name, in the order added; a replaced entry moves to the end. */
    private final Map<String, ModelCapabilities> byName;
    /** The glob entries, in the same order, each with its compiled pattern. */
    private final List<Glob> globs;

    private record Glob(Pattern pattern, ModelCapabilities entry) {}

    private CapabilityCatalog(Map<String, ModelCapabilities> existing, Collection<ModelCapabilities> added) {
        Map<String, ModelCapabilities> names = new LinkedHashMap<>(existing);
        for (ModelCapabilities entry : added) {
            Objects.requireNonNull(entry, "catalog entry");
            String key = key(entry.modelName());
            names.remove(key); // so that the replacement also takes the latest place among globs
            names.put(key, entry);
        }
        List<Glob> patterns = new ArrayList<>();
        for (ModelCapabilities entry : names.values()) {
            if (entry.isGlob()) {
                patterns.add(new Glob(compile(entry.modelName()), entry));
            }
        }
        this.byName = Collections.unmodifiableMap(names);
        this.globs = List.copyOf(patterns);
    }

    /** The seed's {@code MODEL_CAPABILITIES}: deepseek-coder-34b, llama-3-70b and phi-3-mini. */
    public static CapabilityCatalog builtIn() {
        return BUILT_IN;
    }

    /** An empty catalog, for callers that want none of the built-in entries. */
    public static CapabilityCatalog empty() {
        return new CapabilityCatalog(Map.of(), List.of());
    }

    /**
     * A new catalog with these entries added after the present ones. An entry whose name equals
     * one already present (ignoring case) replaces it; among the new entries, the later wins.
     */
    public CapabilityCatalog withEntries(Collection<ModelCapabilities> entries) {
        Objects.requireNonNull(entries, "entries");
        return new CapabilityCatalog(byName, entries);
    }

    /** The entry named exactly {@code modelKey} (ignoring case), else the latest glob it matches. */
    public Optional<ModelCapabilities> find(String modelKey) {
        Objects.requireNonNull(modelKey, "modelKey");
        ModelCapabilities exact = byName.get(key(modelKey));
        if (exact != null) {
            return Optional.of(exact);
        }
        String candidate = key(modelKey);
        for (int i = globs.size() - 1; i >= 0; i--) {
            Glob glob = globs.get(i);
            if (glob.pattern().matcher(candidate).matches()) {
                return Optional.of(glob.entry());
            }
        }
        return Optional.empty();
    }

    /** Every entry, glob entries included, in the order added (a replaced entry counts as added last). */
    public Collection<ModelCapabilities> all() {
        return byName.values();
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /** {@code *} is any run of characters, {@code ?} one character; everything else is literal. */
    private static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : key(glob).toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
