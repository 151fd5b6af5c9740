package dev.lmstudiosidecar.routing;

import java.util.List;

/**
 * The keywords' distinct words, each with an id, looked up straight from the text being scanned:
 * no substring, no lower-cased copy, nothing allocated per word. An open-addressing hash table
 * over the folded words ({@link Words#folded}); a scan passes the hash it built while reading.
 * Immutable once built.
 */
final class WordTable {

    static final int NOT_A_KEYWORD = -1;

    private final char[][] keys;
    private final int[] ids;
    private final int mask;
    private final int longestWord;

    /** @param words distinct folded words; a word's id is its index */
    WordTable(List<String> words) {
        int capacity = Integer.highestOneBit(Math.max(4, words.size() * 4 - 1));
        keys = new char[capacity][];
        ids = new int[capacity];
        mask = capacity - 1;
        int longest = 0;
        for (int id = 0; id < words.size(); id++) {
            char[] word = words.get(id).toCharArray();
            int slot = spread(words.get(id).hashCode()) & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = word;
            ids[slot] = id;
            longest = Math.max(longest, word.length);
        }
        longestWord = longest;
    }

    /** The longest word, in folded chars: a longer word in the text is no keyword and need not be looked up. */
    int longestWord() {
        return longestWord;
    }

    /**
     * The id of the word {@code text[start, end)}, or {@link #NOT_A_KEYWORD}.
     *
     * @param hash         {@link Words#hash} over the word's folded code points
     * @param foldedLength the word's length in folded chars
     */
    int find(CharSequence text, int start, int end, int hash, int foldedLength) {
        if (foldedLength > longestWord) {
            return NOT_A_KEYWORD;
        }
        for (int slot = spread(hash) & mask; keys[slot] != null; slot = (slot + 1) & mask) {
            char[] key = keys[slot];
            if (key.length == foldedLength && sameWord(key, text, start, end)) {
                return ids[slot];
            }
        }
        return NOT_A_KEYWORD;
    }

    private static boolean sameWord(char[] key, CharSequence text, int start, int end) {
        int k = 0;
        for (int i = start; i < end; ) {
            int cp = Character.codePointAt(text, i);
            i += Character.charCount(cp);
            int folded = Words.fold(cp);
            if (Character.isBmpCodePoint(folded)) {
                if (key[k++] != folded) {
                    return false;
                }
            } else if (key[k++] != Character.highSurrogate(folded) || key[k++] != Character.lowSurrogate(folded)) {
                return false;
            }
        }
        return true;
    }

    private static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }
}
