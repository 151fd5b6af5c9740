package dev.lmstudiosidecar.models;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parameter counts as people and LM Studio write them: {@code 7B}, {@code 3.8B}, {@code 137M},
 * {@code 8x7B} (a mixture of experts: all experts count, they all sit in memory), or plain digits.
 */
public final class ParameterCount {

    /** No model comes near a quadrillion parameters: a count this large is a mistake, not a model. */
    private static final double LIMIT = 1e15;

    private static final Pattern WRITTEN = Pattern.compile("(?:(\\d+)\\s*x\\s*)?(\\d+(?:\\.\\d+)?)\\s*([kmbt])?");

    private ParameterCount() {
    }

    /** The count {@code text} names, or empty when it is not one of the forms above. */
    public static OptionalLong parse(String text) {
        if (text == null) {
            return OptionalLong.empty();
        }
        Matcher m = WRITTEN.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        double experts = m.group(1) == null ? 1 : Double.parseDouble(m.group(1));
        double value = Double.parseDouble(m.group(2)) * experts * scale(m.group(3));
        return plausible(value) ? OptionalLong.of(Math.round(value)) : OptionalLong.empty();
    }

    /** Whether {@code count} can be a model's parameter count: more than 0 and under a quadrillion. */
    public static boolean plausible(double count) {
        return count > 0 && count < LIMIT;
    }

    private static double scale(String suffix) {
        if (suffix == null) {
            return 1;
        }
        return switch (suffix) {
            case "k" -> 1e3;
            case "m" -> 1e6;
            case "b" -> 1e9;
            default -> 1e12; // "t"
        };
    }
}
