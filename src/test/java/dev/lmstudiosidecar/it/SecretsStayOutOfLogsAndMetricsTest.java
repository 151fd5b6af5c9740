package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.testsupport.CloudEmulatorResource;
import dev.lmstudiosidecar.testsupport.EmulatedCloudTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import dev.lmstudiosidecar.fleet.LMStudioFleet;
import dev.lmstudiosidecar.provider.cloud.CloudProvider;
import dev.lmstudiosidecar.resilience.BackendBreakers;
import io.quarkus.test.common.WithTestResource;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * At the default log level, what apps send (the prompt, their own key) and the cloud key appear neither in the
 * sidecar's log, not even in the lines it writes for a 5xx, nor in {@code /q/metrics}, which carries no request
 * id either (the log does: it is how an operator matches an app's error to its cause).
 */
@QuarkusTest
@WithTestResource(EmulatorResource.class)
@WithTestResource(CloudEmulatorResource.class)
class SecretsStayOutOfLogsAndMetricsTest extends EmulatedCloudTest {

    private static final String PROMPT = "prompt-canary-7f3a9c tell me the launch codes";
    private static final String APP_KEY = "sk-app-canary-9d1e44b2";
    private static final String REQUEST_ID = "rid-canary-51c0e8";
    private static final String MODEL = "qwen2.5-7b-instruct";

    /** Every record logged in this JVM while a test runs, formatted with its stack trace. */
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            StringWriter trace = new StringWriter();
            if (record.getThrown() != null) {
                record.getThrown().printStackTrace(new PrintWriter(trace));
            }
            logged.add(record.getLevel() + " " + record.getLoggerName() + " " + formatter.formatMessage(record) + " " + trace);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureTheLog() {
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Inject
    LMStudioFleet fleet;

    @Inject
    BackendBreakers breakers;

    @Inject
    CircuitBreakerMaintenance maintenance;

    /** The failures made on purpose must not leave breakers open for the tests that share this sidecar after it. */
    @AfterEach
    void closeTheBreakers() {
        breakers.closeNow(fleet.first().orElseThrow().backend()); // what a health check finding LM Studio answering does
        maintenance.reset(CloudProvider.BACKEND_NAME);
    }

    private static String chat(boolean stream) {
        return "{\"model\":\"" + MODEL + "\"," + (stream ? "\"stream\":true," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]}";
    }

    /** Successes, a 5xx after LM Studio and the cloud both failed (the cloud's 401 echoing its key), a 400. */
    private void sendRequestsThatSucceedAndFail() {
        for (boolean stream : new boolean[] {false, true}) {
            given().contentType(ContentType.JSON).header("Authorization", "Bearer " + APP_KEY).header("X-Request-Id", REQUEST_ID)
                    .body(chat(stream)).when().post("/v1/chat/completions").then().statusCode(200);
        }
        lmstudio.refuseConnections(true);
        cloud.failNext(10, 401);
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + APP_KEY).header("X-Request-Id", REQUEST_ID)
                .body(chat(false)).when().post("/v1/chat/completions").then().statusCode(503);
        lmstudio.refuseConnections(false);
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + APP_KEY).header("X-Request-Id", REQUEST_ID)
                .body("{\"model\":\"" + MODEL + "\",\"messages\":\"" + PROMPT + "\"}").when().post("/v1/chat/completions")
                .then().statusCode(400);
    }

    @Test
    void theLogCarriesNoPromptNoAppKeyAndNoCloudKeyEvenForA5xx() {
        sendRequestsThatSucceedAndFail();

        assertTrue(logged.stream().anyMatch(line -> line.contains("request " + REQUEST_ID) && line.contains("503")),
                "the 5xx line was captured (the capture works): " + logged);
        for (String line : logged) {
            assertFalse(line.contains("prompt-canary"), "a prompt in the log: " + line);
            assertFalse(line.contains(APP_KEY), "an app's key in the log: " + line);
            assertFalse(line.contains(CloudEmulatorResource.API_KEY), "the cloud key in the log: " + line);
        }
    }

    @Test
    void metricsCarryNoPromptNoKeyAndNoRequestId() {
        sendRequestsThatSucceedAndFail();

        String metrics = given().when().get(ManagementUrls.of("metrics")).then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("sidecar_requests_total"), "the requests were counted");
        assertFalse(metrics.contains("prompt-canary"), "a prompt in /q/metrics");
        assertFalse(metrics.contains(APP_KEY), "an app's key in /q/metrics");
        assertFalse(metrics.contains(CloudEmulatorResource.API_KEY), "the cloud key in /q/metrics");
        assertFalse(metrics.contains(REQUEST_ID), "a request id in /q/metrics");
        assertEquals(-1, metrics.indexOf("Bearer"), "an Authorization value in /q/metrics");
    }
}
