package dev.lmstudiosidecar.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.DnsStub;
import dev.lmstudiosidecar.testsupport.Eventually;
import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A fleet as the integrator will test it: emulators on one port at 127.0.0.2 and 127.0.0.3 (all of
 * 127.0.0.0/8 is loopback on Linux), the DNS stub naming them, and the watcher finding each.
 */
class DnsDiscoveredEmulatorsTest {

    private static final String NAME = "lmstudio.fleet.test";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private LmStudioEmulator first;
    private LmStudioEmulator second;
    private DnsStub stub;
    private Vertx vertx;

    @BeforeEach
    void start() {
        first = LmStudioEmulator.start("127.0.0.2", 0, 1);
        second = LmStudioEmulator.start("127.0.0.3", first.port(), 1);
        stub = DnsStub.start();
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        stub.close();
        second.close();
        first.close();
    }

    @Test
    void twoEmulatorsShareAPortOnTwoLoopbackAddresses() throws Exception {
        assertEquals(first.port(), second.port());
        assertEquals("http://127.0.0.2:" + first.port() + "/v1", first.baseUrl());
        assertEquals("http://127.0.0.3:" + first.port() + "/v1", second.baseUrl());

        assertEquals(200, models(first.baseUrl()).statusCode());
        assertEquals(200, models(second.baseUrl()).statusCode());
        assertEquals(200, models(second.baseUrl()).statusCode());

        assertEquals(1, first.requestCount("/v1/models"), "each address reaches its own emulator");
        assertEquals(2, second.requestCount("/v1/models"));
    }

    @Test
    void theWatcherFindsEachEmulatorBehindTheName() throws Exception {
        stub.set(NAME, List.of("127.0.0.2", "127.0.0.3"));
        HostAddressResolver resolver = HostAddressResolvers.forConfig(vertx, Optional.of("127.0.0.1:" + stub.port()),
                Duration.ofMillis(300), Path.of("/nonexistent/resolv.conf"));
        DnsHostWatcher watcher = new DnsHostWatcher(vertx, resolver, DnsHostSpec.parse(NAME + ":" + first.port()),
                Duration.ofMillis(100), urls -> { });
        watcher.start();

        Eventually.await("both emulators found", Duration.ofSeconds(5),
                () -> watcher.current().equals(Set.of(first.baseUrl(), second.baseUrl())));
        for (String baseUrl : watcher.current()) {
            HttpResponse<String> listing = models(baseUrl);
            assertEquals(200, listing.statusCode());
            assertTrue(listing.body().contains("\"object\""), listing.body());
        }
        assertEquals(1, first.requestCount("/v1/models"));
        assertEquals(1, second.requestCount("/v1/models"));

        stub.set(NAME, List.of("127.0.0.3"));
        Eventually.await("only the second left", Duration.ofSeconds(5), () -> watcher.current().equals(Set.of(second.baseUrl())));
        watcher.stop();
    }

    private HttpResponse<String> models(String baseUrl) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/models")).timeout(Duration.ofSeconds(5)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
