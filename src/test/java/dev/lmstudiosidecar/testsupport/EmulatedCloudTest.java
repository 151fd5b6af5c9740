package dev.lmstudiosidecar.testsupport;

import static io.restassured.RestAssured.given;

import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of integration tests against LM Studio's emulator and a second one standing in for the cloud
 * provider (the class still names {@code @WithTestResource(EmulatorResource.class)} and
 * {@code @WithTestResource(CloudEmulatorResource.class)}). Each test starts from both emulators'
 * defaults, and leaves LM Studio listening, with a check made that lets calls through its breaker.
 */
public abstract class EmulatedCloudTest {

    @InjectEmulator
    protected LmStudioEmulator lmstudio;

    @InjectCloud
    protected LmStudioEmulator cloud;

    @BeforeEach
    void resetEmulators() {
        lmstudio.reset();
        cloud.reset();
        cloud.shape(LmStudioEmulator.Shape.GENERIC_OPENAI);
        cloud.addModel(CloudEmulatorResource.CLOUD_MODEL, "llm", 0, "?", "none", 128000, true);
    }

    @AfterEach
    void listenAgain() {
        lmstudio.refuseConnections(false);
        // Had a check found nothing listening meanwhile, LM Studio's breaker would be open: the next check lets calls through.
        given().post("/admin/models/refresh").then().statusCode(200);
    }
}
