package dev.lmstudiosidecar.health;

import dev.lmstudiosidecar.api.SidecarHeaders;
import dev.lmstudiosidecar.config.SidecarConfig;
import dev.lmstudiosidecar.routing.TaskRouter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Before the sidecar counts as started, it sends itself {@code sidecar.startup.warm-up-requests}
 * {@code GET /v1/models}, one after the other, through its own API port to LM Studio: the whole proxy
 * path (HTTP server, routing, fault-tolerance guard, upstream pool, relay) is loaded, linked and
 * partly compiled before the first real request; then it routes a made-up request for {@code auto} as
 * many times in-process (classifier and selector). Without it the first requests after a start pay
 * tens of milliseconds each for that (measured in the README, "Cold start").
 *
 * <p>It waits for the first health check, and runs only when LM Studio answered it: the listing is
 * cheap for LM Studio, and a sidecar whose LM Studio is down has nothing to warm. It stops after
 * {@code sidecar.startup.warm-up-timeout} whatever the count: llama.cpp's llama-server takes about
 * 50 ms a listing (it closes each connection), where LM Studio and the emulator take about 1 ms. The requests are
 * named {@code warm-up} ({@code X-Request-Id}); Quarkus' {@code http_server_requests_seconds} counts
 * them under {@code /v1/models}, the sidecar's own request metrics do not (they count inference only).
 */
@Singleton
public class StartupWarmUp {

    private static final Logger LOG = Logger.getLogger(StartupWarmUp.class);
    static final String REQUEST_ID = "warm-up";
    private static final long POLL_MILLIS = 50;

    private final Vertx vertx;
    private final HealthMonitor monitor;
    private final TaskRouter router;
    private final Config config;
    private final int requests;
    private final Duration timeout;
    private final Duration maxWaitForCheck;
    private volatile String outcome;
    private volatile boolean finished;
    private volatile long pollTimer = -1;
    private volatile HttpClient client;

    StartupWarmUp(Vertx vertx, HealthMonitor monitor, TaskRouter router, SidecarConfig sidecar, Config config) {
        this.vertx = vertx;
        this.router = router;
        this.monitor = monitor;
        this.config = config;
        this.requests = sidecar.startup().warmUpRequests();
        this.timeout = sidecar.startup().warmUpTimeout();
        this.maxWaitForCheck = sidecar.startup().maxWait();
        if (requests < 0 || requests > 10_000) {
            throw new IllegalArgumentException("sidecar.startup.warm-up-requests must be from 0 to 10000 (given " + requests + ")");
        }
        if (timeout.isNegative() || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("sidecar.startup.warm-up-timeout must be from 0 to 5 min (given " + timeout + ")");
        }
        this.outcome = requests == 0 ? "off (sidecar.startup.warm-up-requests=0)" : "waiting for the first health check";
        this.finished = requests == 0;
    }

    void start(@Observes StartupEvent started) {
        if (finished) {
            return;
        }
        // The first check always ends (its calls have timeouts); sidecar.startup.max-wait bounds the wait anyway.
        long waitDeadline = System.nanoTime() + maxWaitForCheck.toNanos();
        pollTimer = vertx.setPeriodic(POLL_MILLIS, id -> {
            HealthSnapshot snapshot = monitor.snapshot();
            boolean late = System.nanoTime() - waitDeadline > 0;
            if (!snapshot.checked() && !late) {
                return;
            }
            vertx.cancelTimer(id);
            if (late) {
                finish("skipped: no health check finished within sidecar.startup.max-wait (" + maxWaitForCheck + ")");
            } else if (snapshot.lmstudio().status() == HealthStatus.UNHEALTHY) {
                finish("skipped: LM Studio did not answer its first check");
            } else {
                warmUp(System.nanoTime() + timeout.toNanos());
            }
        });
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (pollTimer >= 0) {
            vertx.cancelTimer(pollTimer);
        }
        HttpClient open = client;
        if (open != null) {
            open.close();
        }
        finished = true;
    }

    /** Whether the warm-up is over: done, skipped, off, or given up. */
    public boolean finished() {
        return finished;
    }

    /** What the warm-up did, for the startup check's data. */
    public String outcome() {
        return outcome;
    }

    private void warmUp(long deadline) {
        outcome = "running";
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));
        client = http;
        RequestOptions listing = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(loopback(config.getOptionalValue("quarkus.http.host", String.class).orElse("127.0.0.1")))
                .setPort(apiPort())
                .setURI("/v1/models")
                .putHeader(SidecarHeaders.REQUEST_ID, REQUEST_ID)
                .setTimeout(Math.max(1, timeout.toMillis()));
        long startedNanos = System.nanoTime();
        send(http, listing, 0, deadline).onComplete(sent -> {
            http.close();
            String routed = "";
            try {
                if (sent.succeeded()) { // in-process: a warm-up request for auto through the proxy would cost a generation
                    routed = " and " + router.warmUp(sent.result(), deadline) + " routing dry runs";
                }
            } catch (RuntimeException failed) {
                LOG.warnf(failed, "The start-up warm-up's routing dry runs failed");
            } finally {
                long millis = (System.nanoTime() - startedNanos) / 1_000_000;
                finish(sent.succeeded() ? "done: " + sent.result() + " requests" + routed + " in " + millis + " ms"
                        : "stopped after " + millis + " ms: " + sent.cause().getMessage());
            }
        });
    }

    /** Sends the listing request after request until the count or the deadline, and completes with how many were answered. */
    private Future<Integer> send(HttpClient http, RequestOptions listing, int answered, long deadline) {
        if (answered == requests || finished || System.nanoTime() - deadline > 0) {
            return Future.succeededFuture(answered);
        }
        return http.request(listing)
                .compose(request -> request.send())
                .compose(HttpClientResponse::body)
                .compose(body -> send(http, listing, answered + 1, deadline));
    }

    private void finish(String what) {
        outcome = what;
        finished = true;
        LOG.debugf("start-up warm-up %s", what);
    }

    /** Quarkus sets this to the port actually bound, a random one included. */
    private int apiPort() {
        String bound = System.getProperty("quarkus.http.port");
        return bound != null ? Integer.parseInt(bound) : config.getOptionalValue("quarkus.http.port", Integer.class).orElse(1235);
    }

    private static String loopback(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") ? "127.0.0.1" : host;
    }
}
