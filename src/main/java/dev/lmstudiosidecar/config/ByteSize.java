package dev.lmstudiosidecar.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size in bytes as people write it in config: {@code 1GB}, {@code 512MiB}, {@code 8M}, {@code 1024}.
 * Decimal and binary prefixes are both read as powers of 1024, the way memory limits are meant.
 */
public record ByteSize(long bytes) {

    private static final Pattern FORMAT = Pattern.compile("^\\s*(\\d+)\\s*([kmgt]?)(i?b)?\\s*$", Pattern.CASE_INSENSITIVE);

    public ByteSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("a size cannot be negative: " + bytes);
        }
    }

    public static ByteSize parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size; write it like 1GB, 512MiB, 8M or 1024");
        }
        long value = Long.parseLong(m.group(1));
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        if (shift > 0 && value > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return new ByteSize(value << shift);
    }

    @Override
    public String toString() {
        return bytes + "B";
    }
}
