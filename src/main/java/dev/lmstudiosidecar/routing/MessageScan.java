package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.models.TaskType;
import java.util.Arrays;

/**
 * Reads messages once each, char by char, counting keyword matches per task and the code evidence
 * ({@link CodeEvidence}) in them. A message longer than twice {@code scanChars} is read in two
 * regions, its first and its last {@code scanChars} characters, straight from its string (nothing is
 * copied); a word or a line cut by a region's edge does not count, as it may be part of a longer one.
 * Nothing is allocated per word. One per classification: not thread-safe.
 */
final class MessageScan {

    private final KeywordIndex index;
    private final WordTable words;
    private final int scanChars;
    private final CodeEvidence code = new CodeEvidence();
    /** Keyword matches in the current message, by {@link TaskType#ordinal()}. */
    private final int[] matches = new int[TaskType.values().length];
    /** The phrases under way: each has matched its first words up to the last word read. */
    private KeywordIndex.Node[] phrases;
    private KeywordIndex.Node[] nextPhrases;
    private int phraseCount;

    MessageScan(KeywordIndex index, int scanChars) {
        this.index = index;
        this.words = index.words();
        this.scanChars = scanChars;
        this.phrases = new KeywordIndex.Node[Math.max(1, index.longestKeyword())];
        this.nextPhrases = new KeywordIndex.Node[phrases.length];
    }

    /** Reads one message; its counts stay until the next. */
    void read(String text) {
        Arrays.fill(matches, 0);
        code.reset();
        int length = text.length();
        if (length <= 2 * scanChars) {
            region(text, 0, length);
        } else {
            region(text, 0, scanChars);
            region(text, length - scanChars, length);
        }
    }

    /** Keyword matches for {@code task} in the message last read. */
    int matches(TaskType task) {
        return matches[task.ordinal()];
    }

    /** Code blocks and stack traces in the message last read. */
    int codeEvidence() {
        return code.count();
    }

    private void region(String text, int from, int to) {
        int length = text.length();
        // never start or end a region between the two halves of a surrogate pair
        if (from > 0 && Character.isLowSurrogate(text.charAt(from)) && Character.isHighSurrogate(text.charAt(from - 1))) {
            from++;
        }
        if (to < length && Character.isLowSurrogate(text.charAt(to)) && Character.isHighSurrogate(text.charAt(to - 1))) {
            to--;
        }
        phraseCount = 0; // a phrase does not go on across unread text
        boolean cutBefore = from > 0 && Words.isWordChar(text.codePointBefore(from));
        int lineStart = from;
        boolean wholeLine = from == 0 || text.charAt(from - 1) == '\n';
        int longestWord = words.longestWord();

        int wordStart = -1;
        int hash = 0;
        int foldedLength = 0;
        int i = from;
        while (i < to) {
            char c = text.charAt(i);
            int cp = c;
            int width = 1;
            if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
                cp = Character.toCodePoint(c, text.charAt(i + 1));
                width = 2;
            }
            if (Words.isWordChar(cp)) {
                if (wordStart < 0) {
                    wordStart = i;
                    hash = 0;
                    foldedLength = 0;
                }
                if (foldedLength <= longestWord) {
                    int folded = Words.fold(cp);
                    hash = Words.hash(hash, folded);
                    foldedLength += Character.charCount(folded);
                }
            } else {
                if (wordStart >= 0) {
                    word(wordStart == from && cutBefore ? WordTable.NOT_A_KEYWORD
                            : words.find(text, wordStart, i, hash, foldedLength));
                    wordStart = -1;
                }
                if (c == '\n') {
                    if (wholeLine) {
                        code.line(text, lineStart, i);
                    }
                    lineStart = i + 1;
                    wholeLine = true;
                } else if (!Character.isWhitespace(c)) {
                    phraseCount = 0; // a phrase's words are separated by whitespace only
                }
            }
            i += width;
        }
        boolean cutAfter = to < length && Words.isWordChar(text.codePointAt(to));
        if (wordStart >= 0 && !cutAfter && !(wordStart == from && cutBefore)) {
            word(words.find(text, wordStart, to, hash, foldedLength));
        }
        if (wholeLine && lineStart < to && (to == length || text.charAt(to) == '\n' || text.charAt(to) == '\r')) {
            code.line(text, lineStart, to);
        }
    }

    /** One word read: it ends the keywords it completes and goes on with the phrases it continues. */
    private void word(int word) {
        int next = 0;
        for (int p = 0; p < phraseCount; p++) {
            KeywordIndex.Node node = phrases[p].next(word);
            if (node != null) {
                count(node.tasks);
                if (node.leadsFurther()) {
                    nextPhrases[next++] = node;
                }
            }
        }
        KeywordIndex.Node first = index.first(word);
        if (first != null) {
            count(first.tasks);
            if (first.leadsFurther()) {
                nextPhrases[next++] = first;
            }
        }
        KeywordIndex.Node[] swap = phrases;
        phrases = nextPhrases;
        nextPhrases = swap;
        phraseCount = next;
    }

    private void count(int tasks) {
        for (int bits = tasks; bits != 0; bits &= bits - 1) {
            matches[Integer.numberOfTrailingZeros(bits)]++;
        }
    }
}
