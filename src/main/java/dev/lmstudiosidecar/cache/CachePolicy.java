package dev.lmstudiosidecar.cache;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which requests may be answered from the cache, what the client's {@code Cache-Control} allows,
 * and how long an answer is kept.
 */
public final class CachePolicy {

    public static final String MODE_PROPERTY = "lmstudio.cache-mode";
    public static final String TTL_HEADER = "X-Sidecar-Cache-TTL";

    /** A number and a unit, Quarkus style: {@code 500ms}, {@code 90s}, {@code 1.5m}, {@code 2h}, {@code 1d}. */
    private static final Pattern AMOUNT_AND_UNIT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE);

    private CachePolicy() {
    }

    /** Which generations are cached; embeddings are cached in every mode but {@link #OFF}. */
    public enum Mode {
        /** Only answers the model would give again: temperature 0, or a fixed seed. */
        DETERMINISTIC,
        /** Every answer, sampled or not: a repeated request gets the first answer again. */
        ALL,
        OFF;

        /** @throws IllegalArgumentException naming the property and the allowed values */
        public static Mode parse(String value) {
            if (value != null) {
                for (Mode mode : values()) {
                    if (mode.name().equalsIgnoreCase(value.trim())) {
                        return mode;
                    }
                }
            }
            throw new IllegalArgumentException(MODE_PROPERTY + " must be one of deterministic, all, off; not '" + value + "'");
        }
    }

    /**
     * Whether an answer to this request may be stored and served again.
     *
     * @param operation "chat", "completions" or "embeddings"
     * @throws IllegalArgumentException for an unknown operation, or (only when the body must be read) a body that is no
     *                                  JSON object
     */
    public static boolean cacheable(Mode mode, String operation, byte[] json, int offset, int length) {
        if (mode == null) {
            throw new IllegalArgumentException("mode must not be null");
        }
        if (!CacheKey.OPERATIONS.contains(operation)) {
            throw new IllegalArgumentException("operation must be one of chat, completions, embeddings, not " + operation);
        }
        if (mode == Mode.OFF) {
            return false;
        }
        // An embedding is a function of its input: the same text always embeds the same way.
        if (operation.equals("embeddings") || mode == Mode.ALL) {
            return true;
        }
        return deterministic(json, offset, length);
    }

    /** Temperature 0 or a fixed seed: the conditions under which a model gives the same answer again. */
    private static boolean deterministic(byte[] json, int offset, int length) {
        if (json == null) {
            throw new IllegalArgumentException("the body is null");
        }
        // Tokens over the top level only: messages, maybe megabytes of them, are stepped over undecoded.
        try (JsonParser p = CacheJson.TOKENS.createParser(json, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("the body is not a JSON object");
            }
            boolean zeroTemperature = false;
            boolean seeded = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("temperature")) {
                    zeroTemperature = value.isNumeric() && p.getDecimalValue().signum() == 0;
                } else if (field.equals("seed")) {
                    seeded = value != JsonToken.VALUE_NULL;
                }
                p.skipChildren();
            }
            return zeroTemperature || seeded;
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not JSON: " + CacheJson.describe(e), e);
        }
    }

    /**
     * What the client's {@code Cache-Control} header allows.
     *
     * @param noCache do not answer from the cache, but store the fresh answer ({@code no-cache})
     * @param noStore neither answer from the cache nor store the answer ({@code no-store})
     */
    public record CacheControl(boolean noCache, boolean noStore) {

        public static final CacheControl NONE = new CacheControl(false, false);

        /** Comma-separated directives in any case; unknown ones (e.g. {@code max-age=0}) are ignored. Null: none. */
        public static CacheControl parse(String headerValue) {
            if (headerValue == null || headerValue.isBlank()) {
                return NONE;
            }
            boolean noCache = false;
            boolean noStore = false;
            for (String directive : headerValue.split(",")) {
                int equals = directive.indexOf('=');
                String name = (equals < 0 ? directive : directive.substring(0, equals)).trim().toLowerCase(Locale.ROOT);
                noCache |= name.equals("no-cache");
                noStore |= name.equals("no-store");
            }
            return new CacheControl(noCache, noStore);
        }

        /** Whether a stored answer may be served. */
        public boolean mayLookUp() {
            return !noCache && !noStore;
        }

        /** Whether the fresh answer may be stored. */
        public boolean mayStore() {
            return !noStore;
        }
    }

    /**
     * How long to keep an answer: the {@value #TTL_HEADER} header when the client sent one, else the fallback.
     *
     * @param header   whole seconds ({@code 60}), a number with a unit ({@code 90s}, {@code 5m}, {@code 500ms},
     *                 {@code 2h}, {@code 1d}) or ISO-8601 ({@code PT1M}); null or blank: {@code fallback}
     * @param max      the longest a client may ask for; more is cut down to it, not refused
     * @throws IllegalArgumentException for a zero, negative or unreadable value, with a message for a 400 answer
     */
    public static Duration ttl(String header, Duration fallback, Duration max) {
        if (header == null || header.isBlank()) {
            return fallback;
        }
        Duration asked = parseDuration(header.trim());
        if (asked == null || asked.isZero() || asked.isNegative()) {
            throw new IllegalArgumentException(TTL_HEADER + " must be a positive duration such as 60 (seconds), 90s, 5m or PT1M, not '"
                    + header + "'.");
        }
        return asked.compareTo(max) > 0 ? max : asked;
    }

    /** @return null when unreadable; a huge number comes back as a huge (not overflowed) duration */
    private static Duration parseDuration(String value) {
        if (value.startsWith("P") || value.startsWith("p") || value.startsWith("-P") || value.startsWith("-p")) {
            try {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException | ArithmeticException e) {
                return null;
            }
        }
        Matcher m = AMOUNT_AND_UNIT.matcher(value);
        if (!m.matches()) {
            return null; // also every negative number: a minus sign does not match
        }
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        BigDecimal seconds = new BigDecimal(m.group(1)).multiply(switch (unit) {
            case "ms" -> new BigDecimal("0.001");
            case "s" -> BigDecimal.ONE;
            case "m" -> BigDecimal.valueOf(60);
            case "h" -> BigDecimal.valueOf(3600);
            default -> BigDecimal.valueOf(86_400);
        });
        // Beyond any sensible max anyway; capped here so that a 30-digit value cannot overflow Duration.
        if (seconds.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 2)) > 0) {
            return Duration.ofSeconds(Long.MAX_VALUE / 2);
        }
        BigDecimal nanos = seconds.remainder(BigDecimal.ONE).movePointRight(9);
        return Duration.ofSeconds(seconds.longValue(), nanos.longValue());
    }
}
