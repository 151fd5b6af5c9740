package dev.lmstudiosidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.Eventually;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import io.netty.util.concurrent.EventExecutor;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** /q/health/live goes DOWN while an event loop is blocked longer than sidecar.liveness.max-event-loop-block, and UP after. */
@QuarkusTest
@TestProfile(LivenessTest.ShortBlockBound.class)
@WithTestResource(EmulatorResource.class)
class LivenessTest {

    private static final long BOUND_MILLIS = 500;
    private static final long BLOCK_MILLIS = 2_500;

    public static class ShortBlockBound implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sidecar.liveness.max-event-loop-block", BOUND_MILLIS + "ms");
        }
    }

    @Inject
    Vertx vertx;

    /** One liveness call on a connection of its own; -1 when no answer came within the time given. */
    private record Answer(int status, String body) {
    }

    private static Answer live(int timeoutMillis) {
        try {
            HttpURLConnection connection = (HttpURLConnection) ManagementUrls.of("health/live").openConnection();
            connection.setRequestProperty("Connection", "close"); // the next call may land on another event loop
            connection.setConnectTimeout(timeoutMillis);
            connection.setReadTimeout(timeoutMillis);
            int status = connection.getResponseCode();
            try (InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                return new Answer(status, new String(body.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException noAnswerInTime) {
            return new Answer(-1, noAnswerInTime.toString());
        }
    }

    @Test
    void livenessIsDownWhileAnEventLoopIsBlockedAndUpOnceItRunsAgain() throws InterruptedException {
        assertEquals(200, live(5_000).status());
        List<EventExecutor> loops = new ArrayList<>();
        ((VertxInternal) vertx).getEventLoopGroup().forEach(loops::add);
        // The management server answers on one of the loops: blocking that one leaves no answer to
        // read, so each loop is blocked in turn until an answer comes back from another.
        for (EventExecutor loop : loops) {
            CountDownLatch free = new CountDownLatch(1);
            loop.execute(() -> {
                try {
                    Thread.sleep(BLOCK_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                free.countDown();
            });
            Answer seen = new Answer(-1, "none");
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BLOCK_MILLIS - 300);
            while (System.nanoTime() < deadline && seen.status() != 503) {
                Answer answer = live(300);
                if (answer.status() != -1) {
                    seen = answer;
                }
                Thread.sleep(50);
            }
            assertTrue(free.await(10, TimeUnit.SECONDS));
            if (seen.status() == 503) {
                JsonPath down = JsonPath.from(seen.body());
                assertEquals("DOWN", down.getString("status"), seen.body());
                String blocked = down.getString("checks.find { it.name == 'sidecar' }.data.blocked");
                assertTrue(blocked.matches(".+ has not run for \\d+ ms \\(sidecar.liveness.max-event-loop-block\\)"), blocked);
                Eventually.await("liveness UP again", Duration.ofSeconds(5), () -> live(1_000).status() == 200);
                return;
            }
        }
        throw new AssertionError("no loop blocked for " + BLOCK_MILLIS + " ms made liveness DOWN (bound " + BOUND_MILLIS + " ms)");
    }
}
