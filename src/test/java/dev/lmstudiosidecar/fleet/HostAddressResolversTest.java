package dev.lmstudiosidecar.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.DnsStub;
import dev.lmstudiosidecar.testsupport.Upstream;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which resolver {@code lmstudio.hosts-dns} gets, and the resolv.conf search list it follows. */
class HostAddressResolversTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @TempDir
    Path dir;
    private Vertx vertx;
    private DnsStub stub;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        stub = DnsStub.start();
    }

    @AfterEach
    void stop() throws Exception {
        stub.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aPodAsksTheFirstNameserverOfResolvConfOnPort53() throws IOException {
        Path conf = resolvConf("# written by the kubelet", "nameserver 10.96.0.10 ; CoreDNS", "nameserver 10.96.0.11",
                "search models.svc.cluster.local svc.cluster.local cluster.local", "options ndots:5");

        HostAddressResolver chosen = HostAddressResolvers.forConfig(vertx, Optional.empty(), TIMEOUT, conf);

        assertEquals("10.96.0.10:53", assertInstanceOf(DnsServerAddressResolver.class, chosen).server());
    }

    @Test
    void theConfiguredServerComesFirst() throws IOException {
        Path conf = resolvConf("nameserver 10.96.0.10");

        assertEquals("127.0.0.1:5353", server(Optional.of("127.0.0.1:5353"), conf));
        assertEquals("10.0.0.53:53", server(Optional.of("10.0.0.53"), conf));
        assertEquals("[fd00::10]:5353", server(Optional.of("[fd00::10]:5353"), conf));
        assertEquals("[fd00::10]:53", server(Optional.of("fd00::10"), conf));
    }

    @Test
    void withoutANameserverTheJvmResolverIsTheFallback() throws IOException {
        Path noNameserver = resolvConf("search example.org");

        assertInstanceOf(SystemAddressResolver.class, HostAddressResolvers.forConfig(vertx, Optional.empty(), TIMEOUT, noNameserver));
        assertInstanceOf(SystemAddressResolver.class, HostAddressResolvers.forConfig(vertx, Optional.empty(), TIMEOUT, dir.resolve("absent")));
    }

    @Test
    void aBadServerOrTimeoutIsRefusedByName() {
        Path absent = dir.resolve("absent");
        for (String bad : List.of("", "dns.example:53", "10.0.0.53:0", "dns:65536", "dns:x", "[fd00::10", "[fd00::10]53", ":53")) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> HostAddressResolvers.forConfig(vertx, Optional.of(bad), TIMEOUT, absent), bad);
            assertTrue(refused.getMessage().startsWith("lmstudio.hosts-dns-server=" + bad + " is not valid: "), refused.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> HostAddressResolvers.forConfig(vertx, Optional.empty(), Duration.ZERO, absent));
    }

    @Test
    void aShortNameIsTriedWithTheSearchDomainsFirst() throws IOException {
        stub.set("lmstudio-gpu.models.svc.cluster.local", List.of("127.0.0.2"));
        HostAddressResolver resolver = toStub(resolvConf("search models.svc.cluster.local svc.cluster.local", "options ndots:5"));

        assertEquals(List.of("127.0.0.2"), Upstream.answer(resolver.resolve("lmstudio-gpu")));
        assertEquals(0, stub.queries("lmstudio-gpu"), "found with the first search domain, so never asked as given");
        assertEquals(List.of("127.0.0.2"), Upstream.answer(resolver.resolve("lmstudio-gpu.models")));
        assertEquals(2, stub.queries("lmstudio-gpu.models.models.svc.cluster.local"), "below ndots: the search domains first");
    }

    @Test
    void aNameWithNdotsDotsIsTriedAsGivenFirstAndAFinalDotSkipsTheSearch() throws IOException {
        stub.set("lmstudio.example.org", List.of("127.0.0.3"));
        HostAddressResolver resolver = toStub(resolvConf("domain corp.example", "options timeout:2 ndots:2"));

        assertEquals(List.of("127.0.0.3"), Upstream.answer(resolver.resolve("lmstudio.example.org")));
        assertEquals(0, stub.queries("lmstudio.example.org.corp.example"));

        Throwable unknown = Upstream.cause(resolver.resolve("nowhere.example.org."));
        assertInstanceOf(UnknownHostException.class, unknown);
        assertEquals(0, stub.queries("nowhere.example.org.corp.example"));
        assertEquals(2, stub.queries("nowhere.example.org"));
    }

    @Test
    void aNameUnknownWithEveryDomainFailsNamingThemAll() throws IOException {
        HostAddressResolver resolver = toStub(resolvConf("search a.test b.test"));

        Throwable unknown = Upstream.cause(resolver.resolve("lmstudio"));

        assertEquals("lmstudio: no such name at DNS server 127.0.0.1:" + stub.port() + " (asked for lmstudio.a.test, lmstudio.b.test, lmstudio)",
                assertInstanceOf(UnknownHostException.class, unknown).getMessage());
    }

    @Test
    void resolvConfIsReadAsTheSystemResolverReadsIt() {
        ResolvConf conf = ResolvConf.parse(List.of("search first.example", "domain second.example.", "nameserver 10.0.0.1 # primary",
                "options ndots:99 attempts:2", "nameserver", "sortlist 10.0.0.0/8"));

        assertEquals(List.of("10.0.0.1"), conf.nameservers());
        assertEquals(List.of("second.example"), conf.search(), "the last search or domain line wins");
        assertEquals(15, conf.ndots(), "capped at 15");
        assertEquals(1, ResolvConf.parse(List.of("options ndots:x")).ndots());
        assertEquals(List.of("a.b", "a.b.second.example"), new ResolvConf(List.of(), conf.search(), 1).candidates("a.b"));
        assertEquals(List.of("a.b.second.example", "a.b"), new ResolvConf(List.of(), conf.search(), 2).candidates("a.b"));
    }

    @Test
    void theJvmResolverAnswersLiteralsAndFailsUnknownNamesWithinItsTimeout() {
        SystemAddressResolver system = new SystemAddressResolver(vertx, TIMEOUT);

        assertEquals(List.of("127.0.0.2"), Upstream.answer(system.resolve("127.0.0.2")));
        assertEquals(List.of("::1"), Upstream.answer(system.resolve("0:0:0:0:0:0:0:1")));
        Throwable unknown = Upstream.cause(system.resolve("lmstudio.invalid")); // RFC 6761: never resolves
        assertTrue(unknown instanceof UnknownHostException || unknown instanceof TimeoutException, unknown.toString());
    }

    private String server(Optional<String> server, Path conf) {
        return ((DnsServerAddressResolver) HostAddressResolvers.forConfig(vertx, server, TIMEOUT, conf)).server();
    }

    private HostAddressResolver toStub(Path conf) {
        return HostAddressResolvers.forConfig(vertx, Optional.of("127.0.0.1:" + stub.port()), TIMEOUT, conf);
    }

    private Path resolvConf(String... lines) throws IOException {
        return Files.write(dir.resolve("resolv.conf"), List.of(lines));
    }
}
