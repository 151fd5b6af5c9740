package dev.lmstudiosidecar.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lmstudiosidecar.models.CapabilityCatalog;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadState;
import dev.lmstudiosidecar.testsupport.FakeProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementTest {

    private static final String QWEN = "qwen2.5-7b-instruct";
    private final CapabilityCatalog catalog = CapabilityCatalog.builtIn();
    private final FakeProvider a = new FakeProvider("a");
    private final FakeProvider b = new FakeProvider("b");
    private final FakeProvider c = new FakeProvider("c");

    private List<String> order(String model) {
        return Placement.hostsFor(List.of(a, b, c), model, catalog).stream().map(FakeProvider::toString).toList();
    }

    @Test
    void onlyTheHostsThatHaveTheModelAreChosen() {
        a.with("phi-3-mini", LoadState.LOADED);
        b.with(QWEN, LoadState.LOADED);
        c.with(QWEN, LoadState.NOT_LOADED);
        assertEquals(List.of("b", "c"), order(QWEN), "loaded first, then where it can be loaded; a does not have it");
    }

    @Test
    void theFewestRequestsPerSlotFirstThenTheHeavierWeight() {
        a.with(QWEN, LoadState.LOADED);
        b.with(QWEN, LoadState.LOADED);
        c.with(QWEN, LoadState.LOADED);
        a.inFlight = 2;
        b.inFlight = 2;
        b.limit = 10; // 0.2 per slot against a's 0.4; c idle
        assertEquals(List.of("c", "b", "a"), order(QWEN), "c idle, then b (0.2 a slot), then a (0.4)");
        c.inFlight = 2;
        c.limit = 10;
        c.weight = 2;
        assertEquals(List.of("c", "b", "a"), order(QWEN), "b and c equally busy: the heavier first");
    }

    @Test
    void aModelLoadedNowhereGoesWhereTheMostMemoryIsFree() {
        a.with(QWEN, LoadState.NOT_LOADED).freeGB = 8.0;
        b.with(QWEN, LoadState.NOT_LOADED).freeGB = 24.0;
        c.with(QWEN, LoadState.NOT_LOADED).freeGB = 11.6;
        assertEquals(List.of("b", "c", "a"), order(QWEN));
        c.freeGB = null; // no budget: nothing is refused for memory there
        assertEquals(List.of("c", "b", "a"), order(QWEN));
    }

    @Test
    void unhealthyHostsComeLastAndHostsThatDoNotSayWhatIsLoadedCountAsLoaded() {
        a.with(QWEN, LoadState.LOADED).healthy = false;
        b.with(QWEN, LoadState.NOT_LOADED);
        c.with(QWEN, LoadState.UNKNOWN); // llama-server: serves what it lists
        assertEquals(List.of("c", "b", "a"), order(QWEN));
    }

    @Test
    void aModelNoHostListsGoesToTheOneLeastBusyHealthyHost() {
        a.inFlight = 3;
        b.healthy = false;
        assertEquals(List.of("c"), order("unknown-model"), "one host answers for a name nobody lists, not each in turn");
        assertEquals(List.of("c"), order(null), "a request that names no model likewise");
        c.healthy = false;
        assertEquals(List.of("a"), order("unknown-model"), "the only healthy host, however busy");
        a.healthy = false;
        assertEquals(List.of("b"), order("unknown-model"), "with no healthy host, the least busy of all: its breaker answers");
    }
}
