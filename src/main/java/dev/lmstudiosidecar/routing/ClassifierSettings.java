package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.models.TaskType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * How {@link TaskClassifier} weighs a request.
 *
 * <p>A keyword is a word or a phrase of words separated by spaces, made of letters, digits and
 * underscores; it matches whole words only, ignoring case ({@code code} matches {@code Code} but not
 * {@code codex} or {@code encode}), and a phrase matches its words in a row separated by nothing but
 * whitespace. Punctuation inside a keyword ({@code c++}, {@code node.js}) is refused: it could never
 * match as a whole word.
 *
 * @param keywords       per task, the keywords that count for it; a task left out has none. {@code general}
 *                       takes none: it is what a request is when nothing else scores
 * @param lastUserWeight what one match in the last user message counts: it is what the caller asks now
 * @param contextWeight  what one match in any other message counts (system prompt, earlier user messages,
 *                       assistant and tool messages): context, not the question
 * @param codeWeight     what one code block or one stack trace adds to {@code coding}, times its message's weight
 * @param minConfidence  below this confidence the request is {@code general}: too little evidence to route on (0..1)
 * @param scanChars      per message, only the first and the last {@code scanChars} characters are read, so a
 *                       huge prompt costs no more than a large one (at least 64)
 */
public record ClassifierSettings(Map<TaskType, List<String>> keywords, double lastUserWeight, double contextWeight,
                                 double codeWeight, double minConfidence, int scanChars) {

    public static final double DEFAULT_LAST_USER_WEIGHT = 1.0;
    public static final double DEFAULT_CONTEXT_WEIGHT = 0.5;
    public static final double DEFAULT_CODE_WEIGHT = 2.0;
    public static final double DEFAULT_MIN_CONFIDENCE = 0.2;
    public static final int DEFAULT_SCAN_CHARS = 4096;
    public static final int MIN_SCAN_CHARS = 64;

    /** The seed's patterns (its {@code TaskClassifier}), word for word. */
    public static final Map<TaskType, List<String>> SEED_KEYWORDS = Map.of(
            TaskType.CODING, List.of("code", "function", "class", "variable", "debug", "implement", "programming"),
            TaskType.RESEARCH, List.of("analyze", "research", "study", "investigate", "compare", "evaluate"),
            TaskType.CREATIVE, List.of("write", "story", "creative", "imagine", "generate", "compose"),
            TaskType.ANALYSIS, List.of("data", "chart", "analyze", "interpret", "calculate", "process"));

    public ClassifierSettings {
        keywords = validKeywords(keywords);
        requireWeight("lastUserWeight", lastUserWeight);
        requireWeight("contextWeight", contextWeight);
        requireWeight("codeWeight", codeWeight);
        if (!(minConfidence >= 0 && minConfidence <= 1)) {
            throw new IllegalArgumentException("minConfidence must be between 0 and 1, was " + minConfidence);
        }
        if (scanChars < MIN_SCAN_CHARS) {
            throw new IllegalArgumentException("scanChars must be at least " + MIN_SCAN_CHARS + ", was " + scanChars);
        }
    }

    /** The seed's keywords with the default weights, threshold and scan bound. */
    public static ClassifierSettings seedDefaults() {
        return new ClassifierSettings(SEED_KEYWORDS, DEFAULT_LAST_USER_WEIGHT, DEFAULT_CONTEXT_WEIGHT,
                DEFAULT_CODE_WEIGHT, DEFAULT_MIN_CONFIDENCE, DEFAULT_SCAN_CHARS);
    }

    /** These settings with {@code task}'s keywords replaced by {@code words} (the other tasks keep theirs). */
    public ClassifierSettings withKeywords(TaskType task, List<String> words) {
        Map<TaskType, List<String>> replaced = new EnumMap<>(TaskType.class);
        replaced.putAll(keywords);
        replaced.put(task, words);
        return new ClassifierSettings(replaced, lastUserWeight, contextWeight, codeWeight, minConfidence, scanChars);
    }

    /** The keywords of {@code task}; none for a task left out. */
    public List<String> keywordsOf(TaskType task) {
        return keywords.getOrDefault(task, List.of());
    }

    private static Map<TaskType, List<String>> validKeywords(Map<TaskType, List<String>> keywords) {
        if (keywords == null) {
            throw new IllegalArgumentException("keywords must not be null");
        }
        Map<TaskType, List<String>> copy = new EnumMap<>(TaskType.class);
        keywords.forEach((task, words) -> {
            if (task == null) {
                throw new IllegalArgumentException("keywords must not name a null task");
            }
            String field = "keywords." + task.wireName();
            if (words == null) {
                throw new IllegalArgumentException(field + " must not be null (leave the task out for none)");
            }
            if (task == TaskType.GENERAL && !words.isEmpty()) {
                throw new IllegalArgumentException(field + " must be empty: general is what a request is when no task scores");
            }
            for (String word : words) {
                requireKeyword(field, word);
            }
            copy.put(task, List.copyOf(words));
        });
        return Map.copyOf(copy);
    }

    private static void requireKeyword(String field, String keyword) {
        if (keyword == null || keyword.isBlank()) {
            throw new IllegalArgumentException(field + " must not hold a blank keyword");
        }
        for (String word : keyword.strip().split("\\s+")) {
            if (!Words.isWord(word)) {
                throw new IllegalArgumentException(field + ": '" + keyword + "' is not words of letters, digits"
                        + " and underscores separated by spaces (keywords match whole words)");
            }
        }
    }

    private static void requireWeight(String field, double weight) {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException(field + " must be a finite number >= 0, was " + weight);
        }
    }
}
