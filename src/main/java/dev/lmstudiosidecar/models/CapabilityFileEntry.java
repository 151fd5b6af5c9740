package dev.lmstudiosidecar.models;

import static com.fasterxml.jackson.core.JsonToken.END_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_FLOAT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_STRING;
import static java.util.stream.Collectors.joining;

import com.fasterxml.jackson.core.JsonParser.NumberType;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One model's mapping in the capability file, read onto the entry it starts from: a built-in of
 * the same name, or the defaults. A field given replaces that field whole (a scores mapping
 * replaces all scores); a field not given keeps the starting value.
 *
 * <p>Field names may be snake_case, kebab-case or the seed's camelCase: they are compared
 * lower-cased with {@code _} and {@code -} removed, and the seed's {@code memoryRequirement}
 * and {@code estimatedLatency} stand for the fields with the unit in the name.
 */
final class CapabilityFileEntry {

    private enum Field {
        PARAMETER_COUNT, QUANTIZATION, MEMORY_REQUIREMENT_GB("memoryrequirement"), MIN_MEMORY_GB,
        MAX_CONTEXT_LENGTH, SUPPORTED_TASKS, PERFORMANCE_SCORES, PREFERRED_GPU,
        ESTIMATED_LATENCY_MS("estimatedlatency"), PROVIDER;

        static final String ACCEPTED = "expected "
                + Arrays.stream(values()).map(Field::snake).collect(joining(", "));

        /** The seed's names that leave the unit off, normalized. */
        private final Set<String> unitless;

        Field(String... unitless) {
            this.unitless = Set.of(unitless);
        }

        String snake() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Optional<Field> named(String name) {
            String wanted = normalize(name);
            return Arrays.stream(values())
                    .filter(f -> normalize(f.snake()).equals(wanted) || f.unitless.contains(wanted))
                    .findFirst();
        }
    }

    private static final String TASKS = "expected "
            + Arrays.stream(TaskType.values()).map(TaskType::wireName).collect(joining(", "));

    private final CapabilityFile.Tokens in;
    private final ModelCapabilities start;
    private String provider;
    private long parameterCount;
    private String quantization;
    private double memoryGB;
    private double minMemoryGB;
    private int maxContextLength;
    private Set<TaskType> tasks;
    private Map<TaskType, Integer> scores;
    private boolean preferredGpu;
    private Map<TaskType, Integer> latencies;

    CapabilityFileEntry(CapabilityFile.Tokens in, ModelCapabilities start) {
        this.in = in;
        this.start = start;
        provider = start.provider();
        parameterCount = start.parameterCount();
        quantization = start.quantization();
        memoryGB = start.memoryRequirementGB();
        minMemoryGB = start.minMemoryGB();
        maxContextLength = start.maxContextLength();
        tasks = start.supportedTasks();
        scores = start.performanceScores();
        preferredGpu = start.preferredGpu();
        latencies = start.estimatedLatencyMs();
    }

    /** Lower case without {@code _} and {@code -}, so snake, kebab and camel spellings compare equal. */
    static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }

    /** Reads the mapping that starts at the next token; the parser is left on its end. */
    ModelCapabilities read() throws IOException {
        String name = in.text();
        if (in.next() != START_OBJECT) {
            throw in.error("model '" + name + "' is " + in.describe(),
                    "expected a mapping of fields such as parameter_count: 7B");
        }
        Set<Field> given = EnumSet.noneOf(Field.class);
        while (in.next() == FIELD_NAME) {
            String written = in.text();
            Field field = Field.named(written)
                    .orElseThrow(() -> in.error("unknown field '" + written + "'", Field.ACCEPTED));
            if (!given.add(field)) {
                throw in.error("field " + field.snake() + " given twice",
                        "expected each field once; names ignore case, '_' and '-'");
            }
            in.next();
            set(field);
        }
        return new ModelCapabilities(start.modelName(), provider, parameterCount, quantization, memoryGB,
                maxContextLength, tasks, scores, minMemoryGB, preferredGpu, latencies, start.inferred());
    }

    private void set(Field field) throws IOException {
        String what = field.snake();
        switch (field) {
            case PARAMETER_COUNT -> parameterCount = parameterCount(what);
            case QUANTIZATION -> quantization = text(what, "expected text such as Q4_K_M");
            case MEMORY_REQUIREMENT_GB -> memoryGB = gigabytes(what);
            case MIN_MEMORY_GB -> minMemoryGB = gigabytes(what);
            case MAX_CONTEXT_LENGTH -> maxContextLength = wholeNumber(what, 1, "expected a number of tokens > 0");
            case SUPPORTED_TASKS -> tasks = tasks(what);
            case PERFORMANCE_SCORES -> scores = perTask(what, 100, "a score from 0 to 100");
            case PREFERRED_GPU -> preferredGpu = bool(what);
            case ESTIMATED_LATENCY_MS -> latencies = perTask(what, Integer.MAX_VALUE, "milliseconds >= 0");
            case PROVIDER -> provider = text(what, "expected text such as lmstudio");
        }
    }

    private String text(String what, String accepted) throws IOException {
        if (in.token() != VALUE_STRING || in.text().isBlank()) {
            throw in.error(what + " is " + in.describe(), accepted);
        }
        return in.text().trim();
    }

    private long parameterCount(String what) throws IOException {
        String accepted = "expected a count such as 7B, 3.8B, 137M, 8x7B or 7000000000";
        if (in.token() == VALUE_NUMBER_INT) {
            if (in.parser().getNumberType() == NumberType.BIG_INTEGER || in.parser().getLongValue() < 0) {
                throw in.error(what + " " + in.text() + " is " + (in.text().startsWith("-") ? "negative" : "too large"),
                        accepted);
            }
            return in.parser().getLongValue();
        }
        OptionalLong written = in.token() == VALUE_STRING ? ParameterCount.parse(in.text()) : OptionalLong.empty();
        if (written.isEmpty()) {
            throw in.error(what + " is " + in.describe(), accepted);
        }
        return written.getAsLong();
    }

    private double gigabytes(String what) throws IOException {
        String accepted = "expected a number of GB >= 0 such as 5 or 5.5";
        if (in.token() != VALUE_NUMBER_INT && in.token() != VALUE_NUMBER_FLOAT) {
            throw in.error(what + " is " + in.describe(), accepted);
        }
        double value = in.parser().getDoubleValue();
        if (!Double.isFinite(value) || value < 0) {
            throw in.error(what + " " + in.text() + " is " + (value < 0 ? "negative" : "not a finite number"),
                    accepted);
        }
        return value;
    }

    /** A whole number from {@code min} to {@code max}; YAML numbers too large for an int are out of range. */
    private int wholeNumber(String what, int min, int max, String accepted) throws IOException {
        if (in.token() != VALUE_NUMBER_INT) {
            throw in.error(what + " is " + in.describe(), accepted);
        }
        boolean fits = in.parser().getNumberType() == NumberType.INT;
        int value = fits ? in.parser().getIntValue() : 0;
        if (!fits || value < min || value > max) {
            throw in.error(what + " " + in.text() + " is " + (in.text().startsWith("-") ? "negative" : "out of range"),
                    accepted);
        }
        return value;
    }

    private int wholeNumber(String what, int min, String accepted) throws IOException {
        return wholeNumber(what, min, Integer.MAX_VALUE, accepted);
    }

    private boolean bool(String what) throws IOException {
        if (!in.token().isBoolean()) {
            throw in.error(what + " is " + in.describe(), "expected true or false");
        }
        return in.token() == JsonToken.VALUE_TRUE;
    }

    private Set<TaskType> tasks(String what) throws IOException {
        if (in.token() != START_ARRAY) {
            throw in.error(what + " is " + in.describe(), "expected a list of tasks such as [coding, general]");
        }
        Set<TaskType> listed = EnumSet.noneOf(TaskType.class);
        while (in.next() != END_ARRAY) {
            listed.add(task("in " + what));
        }
        return listed;
    }

    /** A mapping from task to a whole number from 0 to {@code max}, e.g. {@code {coding: 88}}. */
    private Map<TaskType, Integer> perTask(String what, int max, String accepted) throws IOException {
        if (in.token() != START_OBJECT) {
            throw in.error(what + " is " + in.describe(), "expected a mapping from task to " + accepted
                    + " such as {coding: " + (max == 100 ? "88" : "700") + "}");
        }
        Map<TaskType, Integer> byTask = new EnumMap<>(TaskType.class);
        while (in.next() == FIELD_NAME) {
            TaskType task = task("as a key of " + what);
            if (byTask.containsKey(task)) {
                throw in.error("task " + task.wireName() + " given twice in " + what, "expected each task once");
            }
            in.next();
            byTask.put(task, wholeNumber(what + " for " + task.wireName(), 0, max, "expected " + accepted));
        }
        return byTask;
    }

    /** The task the current list item or key names; TaskType.fromWire ignores case. */
    private TaskType task(String where) throws IOException {
        JsonToken token = in.token();
        if (token != VALUE_STRING && token != FIELD_NAME) {
            throw in.error(in.describe() + " " + where + " is not a task", TASKS);
        }
        String written = in.text();
        return TaskType.fromWire(written)
                .orElseThrow(() -> in.error("unknown task '" + written + "' " + where, TASKS));
    }
}
