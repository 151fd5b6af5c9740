package dev.lmstudiosidecar.resilience;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/** Reads an upstream's Retry-After header. */
public final class RetryAfter {

    private RetryAfter() {
    }

    /**
     * Reads a Retry-After header against the system clock.
     *
     * @see #parse(String, Clock)
     */
    public static Optional<Duration> parse(String headerValue) {
        return parse(headerValue, Clock.systemUTC());
    }

    /**
     * Reads a Retry-After header: delta-seconds ({@code "120"}) or an RFC 1123 HTTP-date, which
     * counts from {@code clock}'s now. A date already past means "now", so it reads as zero.
     *
     * @return how long the upstream asked to wait, or empty for null, a negative number or
     *     anything else that is neither form
     */
    public static Optional<Duration> parse(String headerValue, Clock clock) {
        if (headerValue == null) {
            return Optional.empty();
        }
        String value = headerValue.trim();
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (allDigits(value)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
            } catch (NumberFormatException tooLarge) {
                // Still a valid delta-seconds: a wait that long is as good as for ever.
                return Optional.of(Duration.ofSeconds(Long.MAX_VALUE));
            }
        }
        Instant date;
        try {
            date = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeException notADate) {
            return Optional.empty();
        }
        Duration wait = Duration.between(clock.instant(), date);
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    }

    /** delta-seconds is 1*DIGIT: no sign, no fraction, which Long.parseLong alone would let in. */
    private static boolean allDigits(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
