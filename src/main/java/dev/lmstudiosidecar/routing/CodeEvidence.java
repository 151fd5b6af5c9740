package dev.lmstudiosidecar.routing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts, line by line, what says "code" in one message however few keywords it has: Markdown code
 * blocks and stack traces.
 *
 * <ul>
 *   <li>A block is a pair of fence lines (a line starting, after indentation, with {@code ```}); an
 *       unclosed fence counts as one block.</li>
 *   <li>A stack trace counts once, not once per frame: a trace is a run of lines that starts with a
 *       header ({@code Traceback (most recent call last):}, {@code Exception in thread "...}) or a
 *       frame (Java {@code at pkg.Class.method(File.java:12)}, JavaScript {@code at fn (file.js:1:2)}
 *       or {@code at file.js:1:2}, Python {@code File "x.py", line 3}) and goes on through frames and
 *       the lines traces carry between them ({@code Caused by:}, {@code Suppressed:}, {@code ... 5 more},
 *       indented lines such as Python's source lines). Any other line ends it. A trace pasted inside a
 *       code block counts as both: each is evidence of its own.</li>
 * </ul>
 *
 * Cheap: a line is tested by its first characters; only a line starting with {@code at} or
 * {@code File "} goes to a regular expression, bounded by the line. One per scan: not thread-safe.
 */
final class CodeEvidence {

    private static final Pattern FRAME = Pattern.compile(
            "at\\s+(?:"
                    + "[\\w$.<>/@\\-]+\\((?:[^()\\r\\n]*:\\d+|Native Method|Unknown Source)\\)" // Java, Kotlin, Scala
                    + "|(?:[^\\r\\n]*?\\s\\()?[^()\\s]+:\\d+:\\d+\\)?" // JavaScript: at fn (file.js:1:2), at file.js:1:2
                    + ")");
    private static final Pattern PYTHON_FRAME = Pattern.compile("File \"[^\"\\r\\n]+\", line \\d+");

    private final Matcher frame = FRAME.matcher("");
    private final Matcher pythonFrame = PYTHON_FRAME.matcher("");
    private int fences;
    private int traces;
    private boolean inTrace;

    /** Starts on a new message. */
    void reset() {
        fences = 0;
        traces = 0;
        inTrace = false;
    }

    /** Code blocks plus stack traces seen since {@link #reset()}. */
    int count() {
        return (fences + 1) / 2 + traces;
    }

    /** Reads one whole line, {@code text[start, end)} without its line break. */
    void line(CharSequence text, int start, int end) {
        if (end > start && text.charAt(end - 1) == '\r') {
            end--;
        }
        int at = start;
        while (at < end && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
            at++;
        }
        boolean indented = at > start;
        if (startsWith(text, at, end, "```")) {
            fences++;
            inTrace = false;
        } else if (startsWith(text, at, end, "at ") || startsWith(text, at, end, "at\t")) {
            if (matches(frame, text, at, end)) {
                startOrContinueTrace();
            }
            // else, an "at" line that is no frame ("at async Promise.all (index 0)") goes on with a trace it is in
        } else if (startsWith(text, at, end, "File \"") && matches(pythonFrame, text, at, end)) {
            startOrContinueTrace();
        } else if (startsWith(text, at, end, "Traceback (most recent call last):")
                || startsWith(text, at, end, "Exception in thread \"")) {
            traces++; // a header always starts a trace, even right after another
            inTrace = true;
        } else {
            inTrace &= at < end && (indented
                    || startsWith(text, at, end, "Caused by:")
                    || startsWith(text, at, end, "Suppressed:")
                    || startsWith(text, at, end, "..."));
        }
    }

    private void startOrContinueTrace() {
        if (!inTrace) {
            traces++;
            inTrace = true;
        }
    }

    private static boolean matches(Matcher matcher, CharSequence text, int start, int end) {
        return matcher.reset(text).region(start, end).lookingAt();
    }

    private static boolean startsWith(CharSequence text, int at, int end, String prefix) {
        if (end - at < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (text.charAt(at + i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
