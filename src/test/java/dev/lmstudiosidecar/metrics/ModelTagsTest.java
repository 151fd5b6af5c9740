package dev.lmstudiosidecar.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelTagsTest {

    private final ModelTags tags = new ModelTags(3, Set.of("listed-a", "listed-b", "listed-c", "listed-d")::contains);

    @Test
    void listedOrAnsweringModelsKeepTheirNamesUpToTheCap() {
        assertEquals("listed-a", tags.of("listed-a", false));
        assertEquals("answered", tags.of("answered", true));
        assertEquals("listed-b", tags.of("listed-b", false));
        assertEquals(ModelTags.OTHER, tags.of("listed-c", false), "the cap is reached");
        assertEquals(ModelTags.OTHER, tags.of("answered-too", true));
        assertEquals("answered", tags.of("answered", false), "a name taken stays taken");
    }

    @Test
    void madeUpNamesDoNotUseUpTheCap() {
        for (int i = 0; i < 100; i++) {
            assertEquals(ModelTags.OTHER, tags.of("made-up-" + i, false));
        }
        assertEquals("listed-a", tags.of("listed-a", false));
    }

    @Test
    void noModelIsNone() {
        assertEquals(ModelTags.NONE, tags.of(null, true));
    }
}
