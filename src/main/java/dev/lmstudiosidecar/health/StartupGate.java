package dev.lmstudiosidecar.health;

import dev.lmstudiosidecar.models.DiscoveredModel;
import dev.lmstudiosidecar.models.ModelInventory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * When the sidecar counts as started: once the first health check of LM Studio finished, the warm-up
 * of the request path is over and each kept-warm model is loaded (or never can be: not on LM Studio,
 * or a server without the load API), or once {@code sidecar.startup.max-wait} has passed, whichever
 * comes first. Started stays started.
 */
public final class StartupGate {

    private final List<String> keptWarm;
    private final long startedNanos;
    private final long maxWaitNanos;
    private final LongSupplier nanoClock;
    private volatile String startedBecause;

    /** @param nanoClock a monotonic clock; the wait is counted from now */
    public StartupGate(List<String> keptWarm, Duration maxWait, LongSupplier nanoClock) {
        this.keptWarm = List.copyOf(keptWarm);
        this.maxWaitNanos = maxWait.toNanos();
        this.nanoClock = nanoClock;
        this.startedNanos = nanoClock.getAsLong();
    }

    /**
     * @param checked   whether a health check of LM Studio finished
     * @param warmUp    whether the warm-up is over, and what it did
     * @param inventory the models as last known (the sidecar's own loads included)
     */
    public ProbeVerdict judge(boolean checked, WarmUp warmUp, ModelInventory inventory) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("firstCheck", checked ? "done" : "not finished yet");
        data.put("warmUp", warmUp.outcome());
        boolean settled = checked && warmUp.finished();
        for (String model : keptWarm) {
            Optional<String> waitingFor = waitingFor(inventory, model);
            data.put("keptWarm." + model, waitingFor.orElse(state(inventory, model)));
            settled &= waitingFor.isEmpty();
        }
        long waitedNanos = nanoClock.getAsLong() - startedNanos;
        if (startedBecause == null) {
            if (settled) {
                startedBecause = keptWarm.isEmpty() ? "the first health check and the warm-up finished"
                        : "the first health check and the warm-up finished and the kept-warm models are settled";
            } else if (waitedNanos >= maxWaitNanos) {
                startedBecause = "sidecar.startup.max-wait (" + maxWaitNanos / 1_000_000
                        + " ms) passed before the first check, the warm-up and the kept-warm loads were done";
            }
        }
        String because = startedBecause;
        data.put("reason", because != null ? because : "waiting (" + waitedNanos / 1_000_000 + " ms of at most " + maxWaitNanos / 1_000_000 + " ms)");
        return new ProbeVerdict(because != null, data);
    }

    /** The start-up warm-up's state: whether it is over, and what it did. */
    public record WarmUp(boolean finished, String outcome) {
    }

    /** What a kept-warm model still waits for; empty when nothing (it is loaded, or nothing can load it). */
    private static Optional<String> waitingFor(ModelInventory inventory, String model) {
        if (!inventory.known()) {
            return Optional.of("waiting for a listing");
        }
        Optional<DiscoveredModel> listed = inventory.find(model);
        if (listed.isPresent() && inventory.api().canLoad() && listed.get().state() == DiscoveredModel.LoadState.NOT_LOADED) {
            return Optional.of("loading");
        }
        return Optional.empty();
    }

    private static String state(ModelInventory inventory, String model) {
        Optional<DiscoveredModel> listed = inventory.find(model);
        if (listed.isEmpty()) {
            return "not on LM Studio: nothing to wait for";
        }
        if (!inventory.api().canLoad()) {
            return "the server has no load API: nothing to wait for";
        }
        return listed.get().loaded() ? "loaded" : "listed (the server does not say what is loaded)";
    }
}
