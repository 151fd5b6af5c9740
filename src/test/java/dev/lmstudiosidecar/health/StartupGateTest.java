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

    private final AtomicLong now = new AtomicLong(5_000_000_000L);

    private StartupGate gate(List<String> keptWarm) {
        return new StartupGate(keptWarm, Duration.ofSeconds(60), now::get);
    }

    @Test
    void withNothingKeptWarmItStartsAfterTheFirstCheck() {
        StartupGate gate = gate(List.of());
        ProbeVerdict before = gate.judge(false, ModelInventory.unknown());
        assertFalse(before.up());
        assertEquals("not finished yet", before.data().get("firstCheck"));
        assertTrue(gate.judge(true, ModelInventory.unknown()).up(), "a failed first check is a check too");
    }

    @Test
    void itWaitsForTheKeptWarmModelsToLoad() {
        StartupGate gate = gate(List.of("phi"));
        ProbeVerdict loading = gate.judge(true, lmStudio(notLoaded("phi")));
        assertFalse(loading.up());
        assertEquals("loading", loading.data().get("keptWarm.phi"));
        assertFalse(gate.judge(true, ModelInventory.unknown()).up(), "no listing yet: nothing known of phi");
        ProbeVerdict loaded = gate.judge(true, lmStudio(loaded("phi")));
        assertTrue(loaded.up());
        assertEquals("loaded", loaded.data().get("keptWarm.phi"));
    }

    @Test
    void aKeptModelThatCanNeverLoadIsNotWaitedFor() {
        assertTrue(gate(List.of("llama")).judge(true, lmStudio(loaded("phi"))).up(), "not on LM Studio");
        assertTrue(gate(List.of("phi")).judge(true, inventory(DiscoveryApi.LMSTUDIO_V0, notLoaded("phi"))).up(), "no load API");
    }

    @Test
    void itStartsAfterTheBoundWhateverItWaitsFor() {
        StartupGate gate = gate(List.of("phi"));
        now.addAndGet(Duration.ofSeconds(59).toNanos());
        assertFalse(gate.judge(false, ModelInventory.unknown()).up());
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        ProbeVerdict verdict = gate.judge(false, ModelInventory.unknown());
        assertTrue(verdict.up());
        assertTrue(verdict.data().get("reason").startsWith("sidecar.startup.max-wait (60000 ms) passed"), verdict.data().get("reason"));
    }

    @Test
    void startedStaysStarted() {
        StartupGate gate = gate(List.of("phi"));
        assertTrue(gate.judge(true, lmStudio(loaded("phi"))).up());
        assertTrue(gate.judge(true, lmStudio(notLoaded("phi"))).up(), "an eviction after start is readiness' business");
    }
}
