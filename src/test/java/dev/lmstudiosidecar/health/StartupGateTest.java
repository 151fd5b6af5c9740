package dev.lmstudiosidecar.health;

import static dev.lmstudiosidecar.health.Listings.inventory;
import static dev.lmstudiosidecar.health.Listings.lmStudio;
import static dev.lmstudiosidecar.health.Listings.loaded;
import static dev.lmstudiosidecar.health.Listings.notLoaded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.models.DiscoveryApi;
import dev.lmstudiosidecar.models.ModelInventory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StartupGateTest {

    private static final StartupGate.WarmUp WARMED = new StartupGate.WarmUp(true, "done: 200 requests in 610 ms");

    private final AtomicLong now = new AtomicLong(5_000_000_000L);

    private StartupGate gate(List<String> keptWarm) {
        return new StartupGate(keptWarm, Duration.ofSeconds(60), now::get);
    }

    @Test
    void withNothingKeptWarmItStartsAfterTheFirstCheck() {
        StartupGate gate = gate(List.of());
        ProbeVerdict before = gate.judge(false, WARMED, ModelInventory.unknown());
        assertFalse(before.up());
        assertEquals("not finished yet", before.data().get("firstCheck"));
        assertTrue(gate.judge(true, WARMED, ModelInventory.unknown()).up(), "a failed first check is a check too");
    }

    @Test
    void itWaitsForTheWarmUpOfTheRequestPath() {
        StartupGate gate = gate(List.of());
        ProbeVerdict warming = gate.judge(true, new StartupGate.WarmUp(false, "running"), ModelInventory.unknown());
        assertFalse(warming.up());
        assertEquals("running", warming.data().get("warmUp"));
        ProbeVerdict warmed = gate.judge(true, WARMED, ModelInventory.unknown());
        assertTrue(warmed.up());
        assertEquals("done: 200 requests in 610 ms", warmed.data().get("warmUp"));
    }

    @Test
    void itWaitsForTheKeptWarmModelsToLoad() {
        StartupGate gate = gate(List.of("phi"));
        ProbeVerdict loading = gate.judge(true, WARMED, lmStudio(notLoaded("phi")));
        assertFalse(loading.up());
        assertEquals("loading", loading.data().get("keptWarm.phi"));
        assertFalse(gate.judge(true, WARMED, ModelInventory.unknown()).up(), "no listing yet: nothing known of phi");
        ProbeVerdict loaded = gate.judge(true, WARMED, lmStudio(loaded("phi")));
        assertTrue(loaded.up());
        assertEquals("loaded", loaded.data().get("keptWarm.phi"));
    }

    @Test
    void aKeptModelThatCanNeverLoadIsNotWaitedFor() {
        assertTrue(gate(List.of("llama")).judge(true, WARMED, lmStudio(loaded("phi"))).up(), "not on LM Studio");
        assertTrue(gate(List.of("phi")).judge(true, WARMED, inventory(DiscoveryApi.LMSTUDIO_V0, notLoaded("phi"))).up(), "no load API");
    }

    @Test
    void itStartsAfterTheBoundWhateverItWaitsFor() {
        StartupGate gate = gate(List.of("phi"));
        now.addAndGet(Duration.ofSeconds(59).toNanos());
        assertFalse(gate.judge(false, WARMED, ModelInventory.unknown()).up());
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        ProbeVerdict verdict = gate.judge(false, WARMED, ModelInventory.unknown());
        assertTrue(verdict.up());
        assertTrue(verdict.data().get("reason").startsWith("sidecar.startup.max-wait (60000 ms) passed"), verdict.data().get("reason"));
    }

    @Test
    void startedStaysStarted() {
        StartupGate gate = gate(List.of("phi"));
        assertTrue(gate.judge(true, WARMED, lmStudio(loaded("phi"))).up());
        assertTrue(gate.judge(true, WARMED, lmStudio(notLoaded("phi"))).up(), "an eviction after start is readiness' business");
    }
}
