package dev.lmstudiosidecar.health;

import dev.lmstudiosidecar.models.DiscoveredModel;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadState;
import dev.lmstudiosidecar.models.ModelInventory;
import java.util.List;
import java.util.Optional;

/**
 * What readiness requires of LM Studio's models: those named in {@code sidecar.readiness.required-models},
 * else those in {@code lmstudio.keep-models-warm}, else any one chat model, loaded or loadable on
 * first use (auto-load on, and a server with the load API).
 */
public final class RequiredModels {

    /** The requirement when no model is named. */
    public static final String ANY_CHAT_MODEL = "any chat model";

    /**
     * One requirement and whether a listing met it.
     *
     * @param what  a model key, or {@link #ANY_CHAT_MODEL}
     * @param state what the listing said of it, in words
     */
    public record Check(String what, boolean met, String state) {
    }

    /** @param checks one per required model, or the one for {@link #ANY_CHAT_MODEL} */
    public record Evaluation(boolean met, List<Check> checks) {
        public Evaluation {
            checks = List.copyOf(checks);
        }

        public List<Check> unmet() {
            return checks.stream().filter(check -> !check.met()).toList();
        }
    }

    private final List<String> models;
    private final String source;
    private final boolean autoLoad;

    private RequiredModels(List<String> models, String source, boolean autoLoad) {
        this.models = models.stream().map(String::strip).distinct().toList();
        this.source = source;
        this.autoLoad = autoLoad;
    }

    /**
     * @param named    {@code sidecar.readiness.required-models} (empty: unset)
     * @param keptWarm {@code lmstudio.keep-models-warm}
     * @param autoLoad {@code lmstudio.auto-load-models}
     */
    public static RequiredModels of(List<String> named, List<String> keptWarm, boolean autoLoad) {
        if (named.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("sidecar.readiness.required-models names a blank model");
        }
        if (!named.isEmpty()) {
            return new RequiredModels(named, "sidecar.readiness.required-models", autoLoad);
        }
        if (!keptWarm.isEmpty()) {
            return new RequiredModels(keptWarm, "lmstudio.keep-models-warm", autoLoad);
        }
        return new RequiredModels(List.of(), ANY_CHAT_MODEL, autoLoad);
    }

    /** The models named; empty when any chat model will do. */
    public List<String> models() {
        return models;
    }

    /** Where the requirement comes from: the setting that names the models, or {@link #ANY_CHAT_MODEL}. */
    public String source() {
        return source;
    }

    public Evaluation evaluate(ModelInventory inventory) {
        if (models.isEmpty()) {
            Check any = anyChatModel(inventory);
            return new Evaluation(any.met(), List.of(any));
        }
        List<Check> checks = models.stream().map(model -> named(inventory, model)).toList();
        return new Evaluation(checks.stream().allMatch(Check::met), checks);
    }

    private static Check named(ModelInventory inventory, String model) {
        Optional<DiscoveredModel> listed = inventory.find(model);
        if (listed.isEmpty()) {
            return new Check(model, false, "not on LM Studio (download it with `lms get " + model + "`)");
        }
        return switch (listed.get().state()) {
            case LOADED -> new Check(model, true, "loaded");
            // A names-only server (llama.cpp, vLLM) lists what it serves.
            case UNKNOWN -> new Check(model, true, "listed (the server does not say what is loaded)");
            case NOT_LOADED -> new Check(model, false, "not loaded");
        };
    }

    private Check anyChatModel(ModelInventory inventory) {
        List<DiscoveredModel> chat = inventory.models().stream().filter(model -> !model.embedding()).toList();
        Optional<DiscoveredModel> serving = chat.stream().filter(model -> model.state() != LoadState.NOT_LOADED).findFirst();
        if (serving.isPresent()) {
            DiscoveredModel model = serving.get();
            return new Check(ANY_CHAT_MODEL, true, model.key() + (model.loaded() ? " is loaded" : " is listed (the server does not say what is loaded)"));
        }
        if (chat.isEmpty()) {
            return new Check(ANY_CHAT_MODEL, false, "LM Studio has no chat model (download one with `lms get <model>`)");
        }
        if (autoLoad && inventory.api().canLoad()) {
            return new Check(ANY_CHAT_MODEL, true, "no chat model is loaded, but " + chat.get(0).key()
                    + (chat.size() > 1 ? " and " + (chat.size() - 1) + " more" : "") + " can be loaded on first use (lmstudio.auto-load-models)");
        }
        return new Check(ANY_CHAT_MODEL, false, "no chat model is loaded, and the sidecar cannot load one on first use ("
                + (autoLoad ? "the server has no load API: LM Studio 0.4 or later" : "lmstudio.auto-load-models is off") + ")");
    }
}
