package dev.lmstudiosidecar.routing;

/**
 * What a word is to the classifier, in one place so that keywords and the text they are matched
 * against are read the same way: a run of letters, digits, combining marks and underscores
 * (the regex {@code \w}, widened to every script), compared case-insensitively code point by code
 * point ({@link Character#toLowerCase(int)}, locale-free).
 */
final class Words {

    private static final boolean[] ASCII_WORD = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            ASCII_WORD[c] = true;
            ASCII_WORD[c - 'a' + 'A'] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            ASCII_WORD[c] = true;
        }
        ASCII_WORD['_'] = true;
    }

    private Words() {
    }

    static boolean isWordChar(int codePoint) {
        if (codePoint < 128) {
            return ASCII_WORD[codePoint];
        }
        if (Character.isLetterOrDigit(codePoint)) {
            return true;
        }
        int type = Character.getType(codePoint);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK;
    }

    /** The code point a word is compared by. */
    static int fold(int codePoint) {
        if (codePoint < 128) {
            return codePoint >= 'A' && codePoint <= 'Z' ? codePoint + ('a' - 'A') : codePoint;
        }
        return Character.toLowerCase(codePoint);
    }

    /** Extends a word's hash by one folded code point, the way {@link String#hashCode()} would by its chars. */
    static int hash(int hash, int folded) {
        if (Character.isBmpCodePoint(folded)) {
            return 31 * hash + folded;
        }
        return 31 * (31 * hash + Character.highSurrogate(folded)) + Character.lowSurrogate(folded);
    }

    /** Whether {@code word} is made of word characters only (and is not empty). */
    static boolean isWord(String word) {
        if (word.isEmpty()) {
            return false;
        }
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            if (!isWordChar(cp)) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }

    /** A word in the form it is compared by: every code point folded. */
    static String folded(String word) {
        StringBuilder out = new StringBuilder(word.length());
        word.codePoints().map(Words::fold).forEach(out::appendCodePoint);
        return out.toString();
    }
}
