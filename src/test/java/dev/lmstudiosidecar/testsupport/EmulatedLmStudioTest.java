package dev.lmstudiosidecar.testsupport;

import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import io.restassured.RestAssured;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of integration tests against the LM Studio emulator (the class still names
 * {@code @QuarkusTest @WithTestResource(EmulatorResource.class)}): each test starts from the
 * emulator's defaults, whatever faults the previous one set.
 */
public abstract class EmulatedLmStudioTest {

    @InjectEmulator
    protected LmStudioEmulator emulator;

    @BeforeEach
    void resetEmulator() {
        emulator.reset();
    }

    /**
     * Leaves {@code model} (a 7B LLM) as the only model LM Studio has, and has the sidecar list it:
     * for tests of what a failure of one model looks like, with no other model to fall back to.
     */
    protected void serveOnly(String model, boolean loaded) {
        emulator.removeAllModels();
        emulator.addModel(model, "llm", 4_683_000_000L, "7B", "Q4_K_M", 32768, loaded);
        RestAssured.when().post("/admin/models/refresh").then().statusCode(200);
    }
}
