package dev.lmstudiosidecar.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryAfterTest {

    private static final Clock NEW_YEAR_2024 = Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC);

    @Test
    void secondsAreRead() {
        assertEquals(Optional.of(Duration.ofSeconds(2)), RetryAfter.parse("2", NEW_YEAR_2024));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("0", NEW_YEAR_2024));
        assertEquals(Optional.of(Duration.ofSeconds(120)), RetryAfter.parse(" 120 ", NEW_YEAR_2024));
        assertEquals(Optional.of(Duration.ofSeconds(3)), RetryAfter.parse("3"));
    }

    @Test
    void anHttpDateCountsFromTheClock() {
        assertEquals(Optional.of(Duration.ofSeconds(30)), RetryAfter.parse("Mon, 01 Jan 2024 00:00:30 GMT", NEW_YEAR_2024));
        assertEquals(Optional.of(Duration.ofHours(25)), RetryAfter.parse("Tue, 02 Jan 2024 01:00:00 GMT", NEW_YEAR_2024));
    }

    @Test
    void aDateAlreadyPastMeansNow() {
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("Sun, 31 Dec 2023 23:59:00 GMT", NEW_YEAR_2024));
    }

    @Test
    void secondsTooLargeForALongStillMeanForEver() {
        assertEquals(Optional.of(Duration.ofSeconds(Long.MAX_VALUE)), RetryAfter.parse("99999999999999999999999", NEW_YEAR_2024));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "  ", "soon", "-1", "-0", "+5", "1.5", "2s", "0x10",
            "Mon, 32 Jan 2024 00:00:00 GMT", "2024-01-01T00:00:30Z", "Mon, 01 Jan 2024"})
    void whatIsNeitherFormIsIgnored(String header) {
        assertEquals(Optional.empty(), RetryAfter.parse(header, NEW_YEAR_2024));
    }
}
