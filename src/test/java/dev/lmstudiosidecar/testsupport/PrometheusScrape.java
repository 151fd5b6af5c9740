package dev.lmstudiosidecar.testsupport;

import io.restassured.RestAssured;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of the sidecar's {@code /q/metrics} (read through {@link ManagementUrls}), as series
 * that tests can sum by name and labels, before and after known traffic.
 */
public final class PrometheusScrape {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One line of the exposition. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;
    private final String text;

    private PrometheusScrape(String text) {
        this.text = text;
        List<Sample> parsed = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (line.startsWith("#") || !sample.find()) {
                continue;
            }
            Map<String, String> labels = new HashMap<>();
            if (sample.group(2) != null) {
                Matcher label = LABEL.matcher(sample.group(2));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            parsed.add(new Sample(sample.group(1), labels, number(sample.group(3))));
        }
        this.samples = List.copyOf(parsed);
    }

    private static double number(String value) {
        return switch (value) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(value);
        };
    }

    public static PrometheusScrape now() {
        return new PrometheusScrape(RestAssured.get(ManagementUrls.of("metrics")).then().statusCode(200).extract().asString());
    }

    /**
     * The sum over every series of {@code name} that has all these labels.
     *
     * @param labels {@code "label=value"} pairs; {@code "label="} matches the empty value
     */
    public double sum(String name, String... labels) {
        return select(name, labels).stream().mapToDouble(Sample::value).sum();
    }

    public List<Sample> select(String name, String... labels) {
        Map<String, String> wanted = new HashMap<>();
        for (String pair : labels) {
            int eq = pair.indexOf('=');
            wanted.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return samples.stream().filter(s -> s.name().equals(name))
                .filter(s -> wanted.entrySet().stream().allMatch(w -> w.getValue().equals(s.labels().getOrDefault(w.getKey(), ""))))
                .toList();
    }

    /** Every metric name with at least one sample. */
    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.forEach(s -> names.add(s.name()));
        return names;
    }

    @Override
    public String toString() {
        return text;
    }
}
