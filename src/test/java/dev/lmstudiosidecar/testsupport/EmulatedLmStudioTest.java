package dev.lmstudiosidecar.testsupport;

import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
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
}
