package dev.lmstudiosidecar.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.DnsStub;
import dev.lmstudiosidecar.testsupport.Eventually;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The hosts behind a DNS name follow its records, and survive the DNS server's failures. */
class DnsHostWatcherTest {

    private static final String NAME = "lmstudio.models.test";
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final Duration WITHIN = Duration.ofSeconds(5);
    private static final Set<String> BOTH = Set.of("http://127.0.0.2:1234/v1", "http://127.0.0.3:1234/v1");

    private DnsStub stub;
    private Vertx vertx;
    private DnsHostWatcher watcher;
    private final List<Set<String>> heard = new CopyOnWriteArrayList<>();
    private final List<Boolean> onVertxThread = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        stub = DnsStub.start();
        vertx = Vertx.vertx();
        HostAddressResolver resolver = new DnsServerAddressResolver(vertx, stub.host(), stub.port(), Duration.ofMillis(300));
        watcher = new DnsHostWatcher(vertx, resolver, DnsHostSpec.parse(NAME + ":1234"), INTERVAL, urls -> {
            onVertxThread.add(Context.isOnVertxThread());
            heard.add(urls);
        });
    }

    @AfterEach
    void stop() throws Exception {
        watcher.stop();
        stub.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theListenerHearsTheHostsOnAVertxThreadAndEachChangeOnce() {
        stub.set(NAME, List.of("127.0.0.3", "127.0.0.2"));
        watcher.start();

        Eventually.await("both hosts heard", WITHIN, () -> heard.contains(BOTH));
        assertEquals(List.of("http://127.0.0.2:1234/v1", "http://127.0.0.3:1234/v1"), List.copyOf(watcher.current()), "sorted");

        stub.set(NAME, List.of("127.0.0.2"));
        Eventually.await("one host left", WITHIN, () -> watcher.current().equals(Set.of("http://127.0.0.2:1234/v1")));
        awaitResolutions(3);

        assertEquals(List.of(BOTH, Set.of("http://127.0.0.2:1234/v1")), heard, "told of changes only");
        assertTrue(onVertxThread.stream().allMatch(Boolean::booleanValue), "the listener runs on Vert.x threads");
    }

    @Test
    void aFailureKeepsTheLastHostsAndSaysWhy() throws InterruptedException {
        stub.set(NAME, List.of("127.0.0.2", "127.0.0.3"));
        watcher.start();
        Eventually.await("both hosts heard", WITHIN, () -> heard.contains(BOTH));

        stub.remove(NAME); // NXDOMAIN: a mistyped name, a Service being recreated, a DNS server out of sync
        awaitResolutions(3);
        assertEquals(BOTH, watcher.current());
        assertTrue(watcher.lastProblem().orElseThrow().contains("no such name"), watcher.lastProblem().toString());

        stub.set(NAME, List.of("127.0.0.2", "127.0.0.3"));
        Eventually.await("the problem gone", WITHIN, () -> watcher.lastProblem().isEmpty());
        stub.silent(true); // a DNS server that stopped answering
        awaitResolutions(2);
        assertTrue(watcher.lastProblem().orElseThrow().contains("gave no answer"), watcher.lastProblem().toString());

        stub.close(); // and one that is gone
        Thread.sleep(1000); // resolutions of at most 300 ms each, one every 100 ms
        assertEquals(BOTH, watcher.current());
        assertTrue(watcher.lastProblem().isPresent());
        assertEquals(List.of(BOTH), heard, "no failure reached the listener");
    }

    @Test
    void noRecordsMeanNoHosts() {
        stub.set(NAME, List.of("127.0.0.2"));
        watcher.start();
        Eventually.await("the host heard", WITHIN, () -> !heard.isEmpty());

        stub.clear(NAME); // a headless Service whose pods all left

        Eventually.await("no hosts", WITHIN, () -> heard.size() == 2);
        assertEquals(Set.of(), heard.get(1));
        assertEquals(Set.of(), watcher.current());
        assertTrue(watcher.lastProblem().isEmpty());
    }

    @Test
    void aFirstResolutionWithoutRecordsIsNewsToo() {
        stub.clear(NAME);
        watcher.start();

        Eventually.await("an empty set heard", WITHIN, () -> heard.equals(List.of(Set.of())));
        awaitResolutions(2);
        assertEquals(List.of(Set.of()), heard);
    }

    @Test
    void aSlowResolutionIsNotStartedAgain() throws InterruptedException {
        stub.set(NAME, List.of("127.0.0.2"));
        stub.silent(true);
        HostAddressResolver slow = new DnsServerAddressResolver(vertx, stub.host(), stub.port(), Duration.ofSeconds(3));
        DnsHostWatcher patient = new DnsHostWatcher(vertx, slow, DnsHostSpec.parse(NAME + ":1234"), INTERVAL, heard::add);

        patient.start();
        Eventually.await("the first resolution asked", WITHIN, () -> stub.queries(NAME) == 2);
        Thread.sleep(INTERVAL.toMillis() * 5);
        patient.stop();

        assertEquals(2, stub.queries(NAME), "one resolution (A and AAAA) under way, however many ticks came meanwhile");
    }

    @Test
    void stopEndsTheQueriesAndTheNews() throws InterruptedException {
        stub.set(NAME, List.of("127.0.0.2"));
        watcher.start();
        Eventually.await("the host heard", WITHIN, () -> !heard.isEmpty());

        watcher.stop();
        stub.set(NAME, List.of("127.0.0.3"));
        Thread.sleep(INTERVAL.toMillis() * 2); // a resolution under way at stop ends meanwhile
        int queries = stub.queries(NAME);
        Thread.sleep(INTERVAL.toMillis() * 4);

        assertEquals(queries, stub.queries(NAME), "no resolution after stop");
        assertEquals(List.of(Set.of("http://127.0.0.2:1234/v1")), heard);
        assertFalse(watcher.current().contains("http://127.0.0.3:1234/v1"));
        assertThrows(IllegalStateException.class, watcher::start, "a stopped watcher stays stopped");
    }

    /** Waits until {@code count} more resolutions (two queries each) reached the stub. */
    private void awaitResolutions(int count) {
        int target = stub.queries(NAME) + 2 * count;
        Eventually.await(count + " more resolutions", WITHIN, () -> stub.queries(NAME) >= target);
    }
}
