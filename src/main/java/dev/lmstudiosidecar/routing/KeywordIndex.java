package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.models.TaskType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings' keywords compiled for a single pass over the text: every distinct word gets an id
 * ({@link WordTable}), and each keyword is a path of word ids in a small trie whose last node says
 * which tasks the keyword counts for (a bit per {@link TaskType#ordinal()}; one word may count for
 * several tasks, as the seed's {@code analyze} does for research and analysis). A single word is a
 * path of one. Immutable and shared by every scan.
 */
final class KeywordIndex {

    /** A keyword, or the start of a longer one, after some words in a row. */
    static final class Node {
        /** The tasks a keyword ending here counts for; 0 when none ends here. */
        int tasks;
        private int[] nextWords = new int[0];
        private Node[] next = new Node[0];

        Node next(int word) {
            for (int i = 0; i < nextWords.length; i++) {
                if (nextWords[i] == word) {
                    return next[i];
                }
            }
            return null;
        }

        boolean leadsFurther() {
            return next.length > 0;
        }

        private Node nextOrNew(int word) {
            Node found = next(word);
            if (found != null) {
                return found;
            }
            Node created = new Node();
            nextWords = Arrays.copyOf(nextWords, nextWords.length + 1);
            next = Arrays.copyOf(next, next.length + 1);
            nextWords[nextWords.length - 1] = word;
            next[next.length - 1] = created;
            return created;
        }
    }

    private final WordTable words;
    /** By word id: the node for a keyword's first word, null for a word that starts none. */
    private final Node[] firstWords;
    private final int longestKeyword;

    KeywordIndex(Map<TaskType, List<String>> keywords) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        List<int[]> paths = new ArrayList<>();
        List<TaskType> owners = new ArrayList<>();
        keywords.forEach((task, list) -> list.forEach(keyword -> {
            String[] parts = keyword.strip().split("\\s+");
            int[] path = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                path[i] = ids.computeIfAbsent(Words.folded(parts[i]), w -> ids.size());
            }
            paths.add(path);
            owners.add(task);
        }));
        words = new WordTable(new ArrayList<>(ids.keySet()));
        firstWords = new Node[ids.size()];
        int longest = 0;
        for (int k = 0; k < paths.size(); k++) {
            int[] path = paths.get(k);
            Node node = firstWords[path[0]] == null ? (firstWords[path[0]] = new Node()) : firstWords[path[0]];
            for (int i = 1; i < path.length; i++) {
                node = node.nextOrNew(path[i]);
            }
            node.tasks |= 1 << owners.get(k).ordinal(); // a keyword listed twice for a task still counts once
            longest = Math.max(longest, path.length);
        }
        longestKeyword = longest;
    }

    WordTable words() {
        return words;
    }

    /** The node for a keyword starting with {@code word}, or null. */
    Node first(int word) {
        return word == WordTable.NOT_A_KEYWORD ? null : firstWords[word];
    }

    /** The most words in one keyword: how many partial phrases a scan may follow at once. */
    int longestKeyword() {
        return longestKeyword;
    }
}
