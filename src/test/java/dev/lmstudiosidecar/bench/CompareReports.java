package dev.lmstudiosidecar.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Puts the reports of {@code bench/run --compare <ref>} side by side: the runs of the sidecar built
 * from {@code <ref>} against the runs of the current tree. Reads any {@code report.md} generically,
 * section by section ({@code ## title}), so scenarios added to {@link Benchmark} later show up with
 * no change here: every latency table's "added" percentiles, the sidecar's CPU seconds and peak RSS
 * per scenario, the {@code twohost} throughput ratio, and its start-up RSS, lifetime peak and CPU in
 * all from the header.
 *
 * <p>Usage: {@code CompareReports --dir target/bench/compare --pairs 2 --ref HEAD~1
 * --ref-commit "abc1234 subject" --current-commit "def5678 subject" -- <benchmark args>}; reads
 * {@code <dir>/ref-<i>/report.md} and {@code <dir>/current-<i>/report.md}, writes and prints
 * {@code <dir>/report.md}.
 */
public final class CompareReports {

    /** Where the figures of a report's header go. */
    static final String WHOLE_RUN = "Whole run";

    private static final Pattern PERCENTILE = Pattern.compile("p\\d+(\\.\\d+)?");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");
    private static final Pattern SEPARATOR = Pattern.compile(":?-+:?");
    private static final Pattern MEASURED = Pattern.compile("Measured (\\S+) on (.+?), Java (\\S+?)\\.(\\s|$)");
    private static final Pattern SIDECAR_COMMAND = Pattern.compile("^Sidecar: `(.*)`");
    private static final Map<Pattern, String[]> LINES = new LinkedHashMap<>();

    static {
        LINES.put(Pattern.compile("Sidecar RSS after start-up: (-?[\\d.]+) MiB"),
                new String[] {"sidecar RSS after start-up (MiB)"});
        LINES.put(Pattern.compile("lifetime peak at the end: (-?[\\d.]+) MiB"),
                new String[] {"sidecar lifetime peak RSS (MiB)"});
        LINES.put(Pattern.compile("CPU used in all: (-?[\\d.]+) s"),
                new String[] {"sidecar CPU in all (s)"});
        LINES.put(Pattern.compile("Sidecar while serving its share: (-?[\\d.]+) CPU s, peak RSS (-?[\\d.]+) MiB"),
                new String[] {"sidecar CPU (s)", "sidecar peak RSS (MiB)"});
        LINES.put(Pattern.compile("Two hosts served (-?[\\d.]+)× the requests per second of one"),
                new String[] {"throughput, two hosts over one (ideal 2.0)"});
    }

    /** A figure's place: the report section (scenario title) and what it measures. */
    record Metric(String section, String name) {
    }

    /** One metric across the runs, in run order; null where a run has no such figure. */
    record Row(Metric metric, List<String> ref, List<String> current) {
    }

    /** What a report says about where and how it was measured. */
    record Provenance(String measuredAt, String machine, String javaVersion, String sidecarJvmFlags) {
    }

    private CompareReports() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of("target/bench/compare");
        int pairs = 2;
        String ref = "ref";
        String refCommit = "?";
        String currentCommit = "?";
        List<String> benchmarkArgs = List.of();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--dir" -> dir = Path.of(value);
                case "--pairs" -> pairs = Integer.parseInt(value);
                case "--ref" -> ref = value;
                case "--ref-commit" -> refCommit = value;
                case "--current-commit" -> currentCommit = value;
                case "--" -> {
                    benchmarkArgs = Arrays.asList(args).subList(i + 1, args.length);
                    i = args.length;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        List<String> refReports = new ArrayList<>();
        List<String> currentReports = new ArrayList<>();
        for (int i = 1; i <= pairs; i++) {
            refReports.add(Files.readString(dir.resolve("ref-" + i).resolve("report.md")));
            currentReports.add(Files.readString(dir.resolve("current-" + i).resolve("report.md")));
        }
        String header = String.format(Locale.ROOT, """
                # lmstudio-sidecar benchmark: `%s` against the current tree

                Written %s.

                - Ref `%s`: %s
                - Current tree: %s
                - %d pair(s) of runs, alternating ref then current; each run's own report is in `%s/<ref|current>-<i>/report.md`
                - Benchmark arguments of every run: `%s` (plus `--jar` and `--report-dir` of its side)
                """,
                ref, ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), ref, refCommit, currentCommit,
                pairs, dir, benchmarkArgs.isEmpty() ? "(none: the defaults)" : shellWords(benchmarkArgs));
        String report = render(header, ref, refReports, currentReports);
        Files.writeString(dir.resolve("report.md"), report);
        System.out.print(report);
    }

    /** The figures of one report, in the order they appear. */
    static Map<Metric, String> parse(String report) {
        Map<Metric, String> figures = new LinkedHashMap<>();
        String section = WHOLE_RUN;
        List<String> columns = null;
        for (String line : report.split("\\R")) {
            String text = line.strip();
            if (text.startsWith("## ")) {
                section = text.substring(3).strip();
                columns = null;
            } else if (text.startsWith("|")) {
                List<String> cells = cells(text);
                if (columns == null) {
                    columns = cells;
                } else if (!cells.isEmpty() && cells.get(0).equals("added")) {
                    for (int i = 1; i < Math.min(cells.size(), columns.size()); i++) {
                        if (PERCENTILE.matcher(columns.get(i)).matches() && NUMBER.matcher(cells.get(i)).matches()) {
                            put(figures, new Metric(section, columns.get(0) + ": added " + columns.get(i)), cells.get(i));
                        }
                    }
                }
            } else {
                columns = null;
                for (Map.Entry<Pattern, String[]> e : LINES.entrySet()) {
                    Matcher m = e.getKey().matcher(text);
                    if (m.find()) {
                        for (int g = 0; g < e.getValue().length; g++) {
                            put(figures, new Metric(section, e.getValue()[g]), m.group(g + 1));
                        }
                    }
                }
            }
        }
        return figures;
    }

    /** Every metric found in any report, sections in order of first appearance, each section's metrics together. */
    static List<Row> compare(List<String> refReports, List<String> currentReports) {
        List<Map<Metric, String>> ref = refReports.stream().map(CompareReports::parse).toList();
        List<Map<Metric, String>> current = currentReports.stream().map(CompareReports::parse).toList();
        Map<String, Set<Metric>> bySection = new LinkedHashMap<>();
        for (int i = 0; i < Math.max(ref.size(), current.size()); i++) {
            for (List<Map<Metric, String>> side : List.of(ref, current)) {
                if (i < side.size()) {
                    side.get(i).keySet().forEach(m -> bySection.computeIfAbsent(m.section(), s -> new LinkedHashSet<>()).add(m));
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Set<Metric> metrics : bySection.values()) {
            for (Metric m : metrics) {
                rows.add(new Row(m, ref.stream().map(f -> f.get(m)).toList(), current.stream().map(f -> f.get(m)).toList()));
            }
        }
        return rows;
    }

    static String render(String header, String refName, List<String> refReports, List<String> currentReports) {
        StringBuilder out = new StringBuilder(header);
        out.append(measuredOn(refReports, currentReports)).append("\n\n");
        out.append("""
                Each cell: the range over the runs (min to max), then every run's figure in run order \
                ("-" where a run has no such figure). "Added" is sidecar minus direct in the same run, in ms; \
                lower is better for every figure. "Ranges" says whether the two ranges overlap; the ratio \
                (current median over ref median, only where both are positive) is a hint, not a verdict.
                """);
        String section = null;
        for (Row row : compare(refReports, currentReports)) {
            if (!row.metric().section().equals(section)) {
                section = row.metric().section();
                out.append("\n## ").append(section).append("\n\n| metric | `").append(refName)
                        .append("` | current | ranges | current / ref |\n|---|---|---|---|---:|\n");
            }
            out.append("| ").append(row.metric().name()).append(" | ").append(cell(row.ref())).append(" | ")
                    .append(cell(row.current())).append(" | ").append(overlap(row)).append(" | ")
                    .append(ratio(row)).append(" |\n");
        }
        return out.toString();
    }

    static Provenance provenance(String report) {
        String measuredAt = "?";
        String machine = "?";
        String java = "?";
        String flags = "?";
        for (String line : report.split("\\R")) {
            Matcher m = MEASURED.matcher(line);
            if (m.find()) {
                measuredAt = m.group(1);
                machine = m.group(2);
                java = m.group(3);
            }
            Matcher c = SIDECAR_COMMAND.matcher(line);
            if (c.find()) {
                List<String> words = Arrays.asList(c.group(1).split("\\s+"));
                int jar = words.indexOf("-jar");
                flags = words.subList(1, jar < 0 ? words.size() : jar).stream()
                        .filter(w -> w.startsWith("-X") || w.startsWith("@")).collect(Collectors.joining(" ")); // JVM flags, or their argument file
            }
        }
        return new Provenance(measuredAt, machine, java, flags);
    }

    private static String measuredOn(List<String> refReports, List<String> currentReports) {
        List<Provenance> ref = refReports.stream().map(CompareReports::provenance).toList();
        List<Provenance> current = currentReports.stream().map(CompareReports::provenance).toList();
        List<Provenance> all = new ArrayList<>(ref);
        all.addAll(current);
        String times = all.stream().map(Provenance::measuredAt).sorted().distinct().collect(Collectors.joining(", "));
        String machines = all.stream().map(p -> p.machine() + ", Java " + p.javaVersion()).distinct().collect(Collectors.joining("; "));
        String refFlags = ref.stream().map(Provenance::sidecarJvmFlags).distinct().collect(Collectors.joining("; "));
        String currentFlags = current.stream().map(Provenance::sidecarJvmFlags).distinct().collect(Collectors.joining("; "));
        return "- Runs started " + times + ", on " + machines + "\n- Sidecar JVM flags: ref `" + refFlags + "`, current `"
                + currentFlags + "`" + (refFlags.equals(currentFlags) ? " (the same)" : " (DIFFERENT)");
    }

    private static String cell(List<String> values) {
        List<Double> numbers = numbers(values);
        if (numbers.isEmpty()) {
            return "not measured";
        }
        String all = values.stream().map(v -> v == null ? "-" : v).collect(Collectors.joining(", "));
        String min = text(values, numbers.get(0));
        String max = text(values, numbers.get(numbers.size() - 1));
        return (min.equals(max) ? min : min + " to " + max) + " (" + all + ")";
    }

    /** A value as the report wrote it. */
    private static String text(List<String> values, double value) {
        return values.stream().filter(Objects::nonNull).filter(v -> Double.parseDouble(v) == value).findFirst().orElseThrow();
    }

    private static String overlap(Row row) {
        List<Double> ref = numbers(row.ref());
        List<Double> current = numbers(row.current());
        if (ref.isEmpty() || current.isEmpty()) {
            return "-";
        }
        if (current.get(0) > ref.get(ref.size() - 1)) {
            return "current higher";
        }
        if (current.get(current.size() - 1) < ref.get(0)) {
            return "current lower";
        }
        return "overlap";
    }

    private static String ratio(Row row) {
        List<Double> ref = numbers(row.ref());
        List<Double> current = numbers(row.current());
        if (ref.isEmpty() || current.isEmpty() || median(ref) <= 0 || median(current) <= 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2f", median(current) / median(ref));
    }

    private static List<Double> numbers(List<String> values) {
        return values.stream().filter(Objects::nonNull).map(Double::valueOf).sorted().toList();
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static List<String> cells(String row) {
        String inner = row.substring(1, row.endsWith("|") && row.length() > 1 ? row.length() - 1 : row.length());
        List<String> cells = Arrays.stream(inner.split("\\|", -1)).map(String::strip).toList();
        return cells.stream().allMatch(c -> SEPARATOR.matcher(c).matches()) ? List.of("") : cells;
    }

    private static void put(Map<Metric, String> figures, Metric metric, String value) {
        Metric key = metric;
        for (int n = 2; figures.containsKey(key); n++) {
            key = new Metric(metric.section(), metric.name() + " (" + n + ")");
        }
        figures.put(key, value);
    }

    /** The arguments as one would type them in a shell. */
    private static String shellWords(List<String> args) {
        return args.stream().map(a -> a.matches("[\\w@%+=:,./-]+") ? a : "'" + a.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
    }
}
