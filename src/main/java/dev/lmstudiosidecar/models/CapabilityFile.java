package dev.lmstudiosidecar.models;

import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_NULL;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * The user's capability file ({@code lmstudio.capabilities-file}): YAML that adds entries to the
 * built-in catalog or changes fields of a built-in one.
 *
 * <pre>
 * models:
 *   deepseek-coder-34b:          # a built-in's name (any case): only the fields given change
 *     supported_tasks: [coding, analysis]
 *   "qwen2.5-coder-*":           # a glob (* any run, ? one char) matching LM Studio model keys
 *     parameter_count: 7B        # or 7000000000
 *     performance_scores: {coding: 88, general: 72}
 * </pre>
 *
 * <p>Every field is optional: {@code parameter_count} (7B, 3.8B, 137M, 8x7B or a whole number),
 * {@code quantization}, {@code memory_requirement_gb}, {@code min_memory_gb},
 * {@code max_context_length}, {@code supported_tasks} (a list), {@code performance_scores} (task to
 * 0..100), {@code preferred_gpu}, {@code estimated_latency_ms} (task to ms), {@code provider}; in
 * snake_case, kebab-case or the seed's camelCase (see {@code CapabilityFileEntry}).
 *
 * <p>The file is read token by token with
 * Jackson's streaming parser rather than bound to classes: nothing needs reflection, so it works
 * unchanged in a native image, and every token keeps its own line for the error message.
 */
public final class CapabilityFile {

    private static final YAMLFactory YAML = new YAMLFactory();

    private static final String ACCEPTED_TOP =
            "expected a mapping with the single key models, holding one entry per model name or glob";

    /** An unquoted *name is a YAML alias, and a glob often starts with *. */
    private static final String QUOTE_STAR = "quote a model name or glob that starts with *";

    private final Tokens in;
    private final CapabilityCatalog base;

    private CapabilityFile(Tokens in, CapabilityCatalog base) {
        this.in = in;
        this.base = base;
    }

    /**
     * The entries {@code file} describes, in file order, for the caller to add with
     * {@link CapabilityCatalog#withEntries}; {@code base} supplies the entries that a same-named
     * file entry starts from. An empty file, or one holding only comments, gives none.
     *
     * @throws CapabilityFileException at the first thing wrong, naming the file and line
     */
    public static List<ModelCapabilities> read(Path file, CapabilityCatalog base) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(base, "base");
        // Read whole first (the file is small): an I/O or encoding failure is then never mistaken
        // for a syntax error, and the text is at hand to place errors the parser cannot place.
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CapabilityFileException(file, 0, "cannot read: " + reason(e),
                    "expected a readable UTF-8 YAML file", e);
        }
        try (JsonParser parser = YAML.createParser(text)) {
            return new CapabilityFile(new Tokens(file, parser), base).document();
        } catch (IOException e) {
            throw syntaxError(file, text, e);
        }
    }

    private List<ModelCapabilities> document() throws IOException {
        JsonToken top = in.next();
        if (top == null) {
            return List.of(); // nothing but comments and blank lines
        }
        List<ModelCapabilities> entries = List.of(); // a lone "---" or "~" is an empty document too
        if (top == START_OBJECT) {
            entries = topLevel();
        } else if (top != VALUE_NULL) {
            throw in.error("the top level is " + in.describe(), ACCEPTED_TOP);
        }
        if (in.next() != null) {
            throw in.error("a second YAML document", "expected one document");
        }
        return entries;
    }

    private List<ModelCapabilities> topLevel() throws IOException {
        int line = in.line();
        List<ModelCapabilities> entries = null;
        while (in.next() == FIELD_NAME) {
            if (!CapabilityFileEntry.normalize(in.text()).equals("models")) {
                throw in.error("unknown top-level key '" + in.text() + "'", ACCEPTED_TOP);
            }
            if (entries != null) {
                throw in.error("models given twice", ACCEPTED_TOP);
            }
            entries = models();
        }
        if (entries == null) {
            throw new CapabilityFileException(in.file(), line, "no models key at the top level", ACCEPTED_TOP);
        }
        return entries;
    }

    private List<ModelCapabilities> models() throws IOException {
        JsonToken token = in.next();
        if (token == VALUE_NULL) {
            return List.of(); // "models:" with every entry below it commented out
        }
        if (token != START_OBJECT) {
            throw in.error("models is " + in.describe(), "expected a mapping from model name or glob to its fields");
        }
        // The catalog ignores case in names, so two spellings of one name would silently collide.
        Map<String, Integer> firstLine = new HashMap<>();
        List<ModelCapabilities> entries = new ArrayList<>();
        while (in.next() == FIELD_NAME) {
            String name = in.text();
            if (name.isBlank()) {
                throw in.error("blank model name",
                        "expected a model key such as phi-3-mini or a glob such as qwen2.5-coder-*");
            }
            Integer first = firstLine.putIfAbsent(name.toLowerCase(Locale.ROOT), in.line());
            if (first != null) {
                throw in.error("model '" + name + "' given twice, first at line " + first,
                        "expected each model once; names ignore case");
            }
            entries.add(new CapabilityFileEntry(in, startingPoint(name)).read());
        }
        return entries;
    }

    /**
     * The entry of {@code base} named exactly {@code name}, ignoring case; else the defaults.
     * Not {@link CapabilityCatalog#find}: that would also match a base glob, and a file entry
     * named like a model key must not inherit a family's figures.
     */
    private ModelCapabilities startingPoint(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        for (ModelCapabilities entry : base.all()) {
            if (entry.modelName().toLowerCase(Locale.ROOT).equals(key)) {
                return entry;
            }
        }
        // 0, "unknown" and empty mean "not given": for a model LM Studio lists, the sidecar fills
        // them from what it infers of that model (CapabilityInference#fillUnknown).
        return new ModelCapabilities(name, "lmstudio", 0, "unknown", 0, 0, Set.of(TaskType.GENERAL),
                Map.of(), 0, false, Map.of(), false);
    }

    private static CapabilityFileException syntaxError(Path file, String text, IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                String problem = Objects.requireNonNullElse(marked.getProblem(), "syntax error");
                if (marked.getContext() != null) {
                    problem = marked.getContext() + ", " + problem;
                }
                return syntaxError(file, marked.getProblemMark().getLine() + 1, problem, e);
            }
            // The YAML reader checks characters a buffer ahead of the parser, so the parser's
            // location is early; the exception knows the character's offset instead.
            if (t instanceof ReaderException unprintable) {
                return syntaxError(file, lineOf(text, unprintable.getPosition()), String.format(
                        "character U+%04X: %s", unprintable.getCodePoint(),
                        unprintable.getMessage().lines().findFirst().orElse("")), e);
            }
        }
        JsonLocation at = e instanceof JsonProcessingException j ? j.getLocation() : null;
        String problem = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return syntaxError(file, at == null ? 1 : Math.max(1, at.getLineNr()),
                String.valueOf(problem).lines().findFirst().orElse(""), e);
    }

    private static CapabilityFileException syntaxError(Path file, int line, String problem, IOException e) {
        return new CapabilityFileException(file, line, "not valid YAML: " + problem, "expected well-formed YAML"
                + (problem.toLowerCase(Locale.ROOT).contains("alias") ? "; " + QUOTE_STAR : ""), e);
    }

    /** The 1-based line of code point {@code index}, counting line breaks as the YAML reader does. */
    private static int lineOf(String text, int index) {
        int end = text.offsetByCodePoints(0, Math.max(0, Math.min(index, text.codePointCount(0, text.length()))));
        int line = 1;
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            boolean crlf = c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n';
            if ("\n\r\u0085\u2028\u2029".indexOf(c) >= 0 && !crlf) {
                line++;
            }
        }
        return line;
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** The parser and the file it reads, for errors that point at the current token's line. */
    record Tokens(Path file, JsonParser parser) {

        JsonToken next() throws IOException {
            JsonToken token = parser.nextToken();
            // Jackson reads an alias (*name) as the text "name", not the anchored value: refuse it
            // rather than take the anchor's name for a value.
            if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
                throw error("YAML alias *" + parser.getText(), "expected every value written out; " + QUOTE_STAR);
            }
            return token;
        }

        JsonToken token() {
            return parser.currentToken();
        }

        /** The current key, or the current scalar as written. */
        String text() throws IOException {
            return parser.getText();
        }

        int line() {
            return parser.currentTokenLocation().getLineNr();
        }

        /** The current value in words, for "x is ..." messages. */
        String describe() throws IOException {
            JsonToken token = parser.currentToken();
            if (token == null) {
                return "missing";
            }
            return switch (token) {
                case START_OBJECT -> "a mapping";
                case START_ARRAY -> "a list";
                case VALUE_STRING -> "the text '" + parser.getText() + "'";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + parser.getText();
                case VALUE_TRUE, VALUE_FALSE -> "the boolean " + parser.getText();
                case VALUE_NULL -> "empty";
                default -> token.name();
            };
        }

        CapabilityFileException error(String problem, String accepted) {
            return new CapabilityFileException(file, line(), problem, accepted);
        }
    }
}
