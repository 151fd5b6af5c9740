package dev.lmstudiosidecar.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ParameterCountTest {

    @Test
    void readsLmStudioParamsStrings() {
        assertEquals(OptionalLong.of(7_000_000_000L), ParameterCount.parse("7B"));
        assertEquals(OptionalLong.of(3_800_000_000L), ParameterCount.parse("3.8B"));
        assertEquals(OptionalLong.of(137_000_000L), ParameterCount.parse("137M"));
        assertEquals(OptionalLong.of(1_500_000_000L), ParameterCount.parse("1.5b"));
    }

    @Test
    void countsEveryExpertOfAMixture() {
        assertEquals(OptionalLong.of(56_000_000_000L), ParameterCount.parse("8x7B"));
    }

    @Test
    void readsPlainDigits() {
        assertEquals(OptionalLong.of(34_000_000_000L), ParameterCount.parse("34000000000"));
    }

    @Test
    void refusesWhatIsNotACount() {
        assertEquals(OptionalLong.empty(), ParameterCount.parse(null));
        assertEquals(OptionalLong.empty(), ParameterCount.parse(""));
        assertEquals(OptionalLong.empty(), ParameterCount.parse("seven billion"));
        assertEquals(OptionalLong.empty(), ParameterCount.parse("0B"));
        assertEquals(OptionalLong.empty(), ParameterCount.parse("-7B"));
    }
}
