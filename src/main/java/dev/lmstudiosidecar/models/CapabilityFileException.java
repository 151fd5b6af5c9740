package dev.lmstudiosidecar.models;

import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What is wrong with the user's capability file, as one line an editor or a log reader can jump
 * from: {@code <file>:<line>: <what is wrong> (<what is accepted>)}. The line is 1-based and
 * missing only when the file could not be read at all ({@code <file>: cannot read: ...}).
 */
public final class CapabilityFileException extends RuntimeException {

    private final Path file;
    private final int line;

    CapabilityFileException(Path file, int line, String problem, String accepted) {
        this(file, line, problem, accepted, null);
    }

    CapabilityFileException(Path file, int line, String problem, String accepted, Throwable cause) {
        super(oneLine(file + (line > 0 ? ":" + line : "") + ": " + problem + " (" + accepted + ")"), cause);
        this.file = Objects.requireNonNull(file, "file");
        this.line = line;
    }

    /** The file as the caller named it. */
    public Path file() {
        return file;
    }

    /** The 1-based line of the offending token; empty when the file could not be read. */
    public OptionalInt line() {
        return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
    }

    // Quoted values and parser messages may carry line breaks; a log line must not be split.
    private static String oneLine(String message) {
        return message.replaceAll("\\R", "\\\\n");
    }
}
