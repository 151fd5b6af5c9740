package dev.lmstudiosidecar.routing;

import static dev.lmstudiosidecar.models.TaskType.ANALYSIS;
import static dev.lmstudiosidecar.models.TaskType.CODING;
import static dev.lmstudiosidecar.models.TaskType.CREATIVE;
import static dev.lmstudiosidecar.models.TaskType.GENERAL;
import static dev.lmstudiosidecar.models.TaskType.RESEARCH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.models.TaskType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskClassifierTest {

    private static final double EPSILON = 1e-9;

    private final TaskClassifier classifier = new TaskClassifier(ClassifierSettings.seedDefaults());

    private static ChatText user(String text) {
        return new ChatText("user", text);
    }

    private static ChatText system(String text) {
        return new ChatText("system", text);
    }

    private static ChatText assistant(String text) {
        return new ChatText("assistant", text);
    }

    private TaskClassification classify(ChatText... messages) {
        return classifier.classify(List.of(messages));
    }

    private static void assertResult(TaskType primary, double confidence, List<TaskType> secondary, TaskClassification result) {
        assertEquals(primary, result.primary(), "primary");
        assertEquals(confidence, result.confidence(), EPSILON, "confidence");
        assertEquals(secondary, result.secondary(), "secondary");
        assertFalse(result.explicit());
    }

    /** coding, research, creative, analysis. */
    private static void assertScores(double coding, double research, double creative, double analysis, TaskClassification result) {
        assertEquals(4, result.scores().size(), "every task but general has a score");
        assertEquals(coding, result.scores().get(CODING), EPSILON, "coding");
        assertEquals(research, result.scores().get(RESEARCH), EPSILON, "research");
        assertEquals(creative, result.scores().get(CREATIVE), EPSILON, "creative");
        assertEquals(analysis, result.scores().get(ANALYSIS), EPSILON, "analysis");
    }

    private static ClassifierSettings settings(int scanChars) {
        return new ClassifierSettings(ClassifierSettings.SEED_KEYWORDS, 1.0, 0.5, 2.0, 0.2, scanChars);
    }

    @Test
    void eachTaskIsRecognised() {
        // implement, function, debug
        assertResult(CODING, 0.6, List.of(), classify(user("implement a function to debug")));
        // research, investigate
        assertResult(RESEARCH, 0.4, List.of(), classify(user("research and investigate the topic")));
        // write, story
        assertResult(CREATIVE, 0.4, List.of(), classify(user("write a story")));
        // calculate, chart, data
        assertResult(ANALYSIS, 0.6, List.of(), classify(user("calculate the chart from this data")));
    }

    @Test
    void everyMatchCountsNotJustTheFirstPerTask() {
        // coding: implement, class, function = 3; research: research = 1
        TaskClassification result = classify(user("research how to implement a class with a function"));
        assertResult(CODING, 0.6, List.of(RESEARCH), result);
        assertScores(3, 1, 0, 0, result);

        // The seed scored both 1 and picked coding by order; three research words beat one coding word.
        assertResult(RESEARCH, 0.6, List.of(CODING), classify(user("compare, evaluate and study this code")));

        // The same word three times counts three times.
        assertScores(3, 0, 0, 0, classify(user("code, code and more code")));
    }

    @Test
    void confidenceStopsAtOne() {
        // 6 coding words: 6 * 0.2 = 1.2, capped
        TaskClassification result = classify(user("code code code code code code"));
        assertResult(CODING, 1.0, List.of(), result);
        assertScores(6, 0, 0, 0, result);
    }

    @Test
    void onlyWholeWordsMatch() {
        TaskClassification result = classify(user("encode the codex, reclassify the subclass, code_review, classes"));
        assertResult(GENERAL, 0, List.of(), result);
        assertScores(0, 0, 0, 0, result);

        // punctuation separates words: "re-code" holds the word "code"
        assertScores(1, 0, 0, 0, classify(user("re-code it")));
    }

    @Test
    void matchingIgnoresCase() {
        assertResult(CODING, 0.4, List.of(), classify(user("DEBUG this Function")));
    }

    @Test
    void theLastUserMessageWeighsMost() {
        // system: write, creative, story = 3 * 0.5 = 1.5; last user: code = 1 * 1.0
        TaskClassification systemWins = classify(system("Write a creative story"), user("fix this code please"));
        assertResult(CREATIVE, 0.3, List.of(CODING), systemWins);
        assertScores(1, 0, 1.5, 0, systemWins);

        // last user: debug, code = 2 * 1.0 = 2.0 > 1.5, though the joined text has more creative words
        TaskClassification userWins = classify(system("Write a creative story"), user("debug this code"));
        assertResult(CODING, 0.4, List.of(CREATIVE), userWins);
        assertScores(2, 0, 1.5, 0, userWins);

        // an earlier user message is context, as is the assistant's answer
        TaskClassification history = classify(
                user("write a creative story"),          // creative 3 * 0.5 = 1.5
                assistant("Here is the data you asked"),  // analysis 1 * 0.5 = 0.5
                user("now debug the code"));              // coding 2 * 1.0 = 2.0
        assertResult(CODING, 0.4, List.of(CREATIVE, ANALYSIS), history);
        assertScores(2, 0, 1.5, 0.5, history);
    }

    @Test
    void withoutAUserMessageEveryMessageIsContext() {
        // system: implement, code, debug = 3 * 0.5 = 1.5
        assertResult(CODING, 0.3, List.of(), classify(system("implement code, debug it")));
    }

    @Test
    void aCodeBlockCountsForCoding() {
        // one block: 2.0 * 1.0
        TaskClassification block = classify(user("What does this print?\n```python\nprint(1)\n```\nThanks"));
        assertResult(CODING, 0.4, List.of(), block);
        assertScores(2, 0, 0, 0, block);

        // an unclosed fence is one block
        assertScores(2, 0, 0, 0, classify(user("Why?\n```\nx = 1")));
        // two blocks, the second indented: 4 fences = 2 blocks = 4.0
        assertScores(4, 0, 0, 0, classify(user("```\na = 1\n```\nand\n  ```\n  b = 2\n  ```\n")));
        // in the system prompt: 2.0 * 0.5
        assertScores(1, 0, 0, 0, classify(system("```\na = 1\n```"), user("hi")));
        // backticks inside a line are no fence
        assertScores(0, 0, 0, 0, classify(user("say ``` three backticks")));
    }

    @Test
    void aJavaStackTraceCountsOnceForCoding() {
        String trace = """
                Why does this fail?
                Exception in thread "main" java.lang.IllegalStateException: boom
                \tat com.example.App.run(App.java:12)
                \tat com.example.App.main(App.java:5)
                Caused by: java.io.IOException: closed
                \tat java.base/java.io.Io.read(Native Method)
                \t... 1 more
                """;
        TaskClassification result = classify(user(trace));
        assertResult(CODING, 0.4, List.of(), result);
        assertScores(2, 0, 0, 0, result);

        // frames alone, without the header line, are a trace too
        assertScores(2, 0, 0, 0, classify(user("at com.example.App.run(App.java:12)\nat com.example.App.main(App.java:5)")));
    }

    @Test
    void aPythonTracebackCountsOnceForCoding() {
        String traceback = """
                Traceback (most recent call last):
                  File "main.py", line 3, in <module>
                    main()
                  File "main.py", line 2, in main
                    raise ValueError("bad")
                ValueError: bad
                """;
        assertScores(2, 0, 0, 0, classify(user(traceback)));
    }

    @Test
    void aJavaScriptStackTraceCountsOnceForCoding() {
        String trace = "TypeError: x is not defined\n    at render (app.js:10:5)\n    at async Promise.all (index 0)\n"
                + "    at /srv/app/main.js:20:3\n";
        assertScores(2, 0, 0, 0, classify(user(trace)));
    }

    @Test
    void twoTracesInAMessageCountTwice() {
        String two = "first:\n\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)\nthen later:\n    at render (app.js:10:5)\n";
        TaskClassification result = classify(user(two));
        assertResult(CODING, 0.8, List.of(), result);
        assertScores(4, 0, 0, 0, result);
    }

    @Test
    void proseThatLooksLikeAFrameIsNoTrace() {
        assertScores(0, 0, 0, 0, classify(user("at noon (room 12:30) we meet\nat home")));
    }

    @Test
    void generalWhenNothingMatches() {
        TaskClassification result = classify(user("hello there, how are you?"));
        assertResult(GENERAL, 0, List.of(), result);
        assertScores(0, 0, 0, 0, result);

        TaskClassification empty = classifier.classify(List.of());
        assertResult(GENERAL, 0, List.of(), empty);
        assertScores(0, 0, 0, 0, empty);

        assertResult(GENERAL, 0, List.of(), classify(user(""), system("")));
    }

    @Test
    void generalWhenTheConfidenceIsBelowTheThreshold() {
        // context only: 1 * 0.5 = 0.5 -> 0.1 < 0.2: general, the weak confidence kept, the task as secondary
        TaskClassification weak = classify(system("write"), user("hello"));
        assertResult(GENERAL, 0.1, List.of(CREATIVE), weak);
        assertScores(0, 0, 0.5, 0, weak);

        // exactly at the threshold: 1 * 1.0 -> 0.2, enough
        assertResult(CREATIVE, 0.2, List.of(), classify(user("write")));

        // a higher threshold
        TaskClassifier strict = new TaskClassifier(new ClassifierSettings(ClassifierSettings.SEED_KEYWORDS, 1, 0.5, 2, 0.5, 4096));
        assertResult(GENERAL, 0.4, List.of(CODING, CREATIVE), strict.classify(List.of(user("debug code, write"))));
    }

    @Test
    void secondaryTasksComeBestFirstTiesInTheSeedsOrder() {
        // creative: write, story = 2; analysis: calculate, data = 2; research: study = 1; coding: implement = 1
        TaskClassification result = classify(user("write a story, calculate the data, study, implement"));
        assertResult(CREATIVE, 0.4, List.of(ANALYSIS, CODING, RESEARCH), result);
        assertScores(1, 1, 2, 2, result);

        // coding 3, research 2, creative 1
        assertResult(CODING, 0.6, List.of(RESEARCH, CREATIVE),
                classify(user("debug the code and the class; research and study it; write")));
    }

    @Test
    void tiesGoInTheSeedsOrder() {
        assertResult(CODING, 0.2, List.of(RESEARCH), classify(user("code research")));
        assertResult(RESEARCH, 0.2, List.of(CREATIVE), classify(user("story study")));
        assertResult(CREATIVE, 0.2, List.of(ANALYSIS), classify(user("chart story")));
        // "analyze" is a keyword of both research and analysis
        TaskClassification both = classify(user("analyze"));
        assertResult(RESEARCH, 0.2, List.of(ANALYSIS), both);
        assertScores(0, 1, 0, 1, both);
    }

    @Test
    void aHugePromptIsReadOnlyAtItsEnds() {
        String half = "lorem ipsum ".repeat(440_000); // 5,280,000 chars
        String middle = half + "debug this code " + half;  // over 10 MB, the keywords 5 MB from either end
        assertTrue(middle.length() > 10_000_000);
        TaskClassification unread = classify(user(middle));
        assertResult(GENERAL, 0, List.of(), unread);
        assertScores(0, 0, 0, 0, unread);

        assertResult(CODING, 0.4, List.of(), classify(user(half + half + "debug this code.")));
        assertResult(CODING, 0.4, List.of(), classify(user("Please debug this code: " + half + half)));
    }

    @Test
    void aWordCutByTheScanBoundIsNotCounted() {
        TaskClassifier small = new TaskClassifier(settings(64));
        String after = ".".repeat(200);
        // the first region is chars 0..63
        assertScores(1, 0, 0, 0, small.classify(List.of(user(".".repeat(59) + "code" + after))));     // 59..62
        assertScores(0, 0, 0, 0, small.classify(List.of(user(".".repeat(60) + "coder" + after))));    // "code" 60..63, "r" unread
        // the last region starts 64 chars from the end: "xcode" is cut after its "x"
        assertScores(0, 0, 0, 0, small.classify(List.of(user(after + "xcode " + ".".repeat(59)))));
        assertScores(1, 0, 0, 0, small.classify(List.of(user(after + " code " + ".".repeat(59)))));
        // a message up to twice the bound is read whole
        assertScores(1, 0, 0, 0, small.classify(List.of(user(".".repeat(62) + "code" + ".".repeat(62)))));
    }

    @Test
    void onlyTheLast64MessagesAreRead() {
        List<ChatText> messages = new ArrayList<>();
        messages.add(system("implement code, debug it")); // 3 * 0.5 = 1.5
        for (int i = 0; i < 63; i++) {
            messages.add(assistant("ok"));
        }
        assertResult(CODING, 0.3, List.of(), classifier.classify(messages)); // 64 messages: all read
        messages.add(user("thanks"));
        assertResult(GENERAL, 0, List.of(), classifier.classify(messages)); // 65: the first is not
    }

    @Test
    void customKeywordsReplaceTheDefaultsForATask() {
        TaskClassifier custom = new TaskClassifier(ClassifierSettings.seedDefaults()
                .withKeywords(CODING, List.of("Kotlin", "pull request")));
        // kotlin, pull request = 2
        assertResult(CODING, 0.4, List.of(), custom.classify(List.of(user("open a pull  request for kotlin"))));
        // a phrase's words may be split by any whitespace, not by punctuation; its words alone are no keyword
        assertScores(1, 0, 0, 0, custom.classify(List.of(user("pull\n request"))));
        assertScores(0, 0, 0, 0, custom.classify(List.of(user("pull. request, pull, request"))));
        // the old coding words are gone; the other tasks keep theirs
        assertResult(GENERAL, 0, List.of(), custom.classify(List.of(user("debug the code"))));
        assertResult(CREATIVE, 0.2, List.of(), custom.classify(List.of(user("write"))));
        assertEquals(List.of("Kotlin", "pull request"), custom.settings().keywordsOf(CODING));
    }

    @Test
    void overlappingPhrasesAreEachCounted() {
        TaskClassifier custom = new TaskClassifier(ClassifierSettings.seedDefaults()
                .withKeywords(CODING, List.of("unit test", "test case", "unit")));
        // "unit", "unit test", "test case"
        assertScores(3, 0, 0, 0, custom.classify(List.of(user("a unit test case"))));
    }

    @Test
    void aTaskLeftOutHasNoKeywords() {
        Map<TaskType, List<String>> onlyCreative = Map.of(CREATIVE, List.of("poem"));
        TaskClassifier custom = new TaskClassifier(new ClassifierSettings(onlyCreative, 1, 0.5, 2, 0.2, 4096));
        assertResult(CREATIVE, 0.2, List.of(), custom.classify(List.of(user("a poem about code"))));
        // code evidence still counts for coding
        assertResult(CODING, 0.4, List.of(), custom.classify(List.of(user("```\nx\n```"))));
    }

    @Test
    void nonLatinWordsAreWholeWordsToo() {
        TaskClassifier custom = new TaskClassifier(ClassifierSettings.seedDefaults()
                .withKeywords(CREATIVE, List.of("Gedicht", "poème")));
        assertScores(0, 0, 2, 0, custom.classify(List.of(user("Ein GEDICHT, un POÈME"))));
        assertScores(0, 0, 0, 0, custom.classify(List.of(user("Gedichte, poèmes, poèmeé"))));
    }

    @Test
    void settingsNameTheFieldTheyRefuse() {
        Map<TaskType, List<String>> seed = ClassifierSettings.SEED_KEYWORDS;
        assertRefused("keywords", () -> new ClassifierSettings(null, 1, 0.5, 2, 0.2, 4096));
        assertRefused("keywords.coding", () -> ClassifierSettings.seedDefaults().withKeywords(CODING, List.of("code", " ")));
        assertRefused("keywords.coding", () -> ClassifierSettings.seedDefaults().withKeywords(CODING, List.of("c++")));
        assertRefused("keywords.general", () -> ClassifierSettings.seedDefaults().withKeywords(GENERAL, List.of("hello")));
        Map<TaskType, List<String>> nullList = new HashMap<>();
        nullList.put(RESEARCH, null);
        assertRefused("keywords.research", () -> new ClassifierSettings(nullList, 1, 0.5, 2, 0.2, 4096));
        assertRefused("lastUserWeight", () -> new ClassifierSettings(seed, -1, 0.5, 2, 0.2, 4096));
        assertRefused("contextWeight", () -> new ClassifierSettings(seed, 1, Double.NaN, 2, 0.2, 4096));
        assertRefused("codeWeight", () -> new ClassifierSettings(seed, 1, 0.5, Double.POSITIVE_INFINITY, 0.2, 4096));
        assertRefused("minConfidence", () -> new ClassifierSettings(seed, 1, 0.5, 2, 1.5, 4096));
        assertRefused("minConfidence", () -> new ClassifierSettings(seed, 1, 0.5, 2, -0.1, 4096));
        assertRefused("scanChars", () -> new ClassifierSettings(seed, 1, 0.5, 2, 0.2, 63));
    }

    private static void assertRefused(String field, Runnable build) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, build::run);
        assertTrue(refused.getMessage().startsWith(field + " ") || refused.getMessage().startsWith(field + ":"),
                () -> "names " + field + ": " + refused.getMessage());
    }

    @Test
    void seedDefaults() {
        ClassifierSettings defaults = ClassifierSettings.seedDefaults();
        assertEquals(1.0, defaults.lastUserWeight());
        assertEquals(0.5, defaults.contextWeight());
        assertEquals(2.0, defaults.codeWeight());
        assertEquals(0.2, defaults.minConfidence());
        assertEquals(4096, defaults.scanChars());
        assertEquals(List.of("data", "chart", "analyze", "interpret", "calculate", "process"), defaults.keywordsOf(ANALYSIS));
        assertEquals(List.of(), defaults.keywordsOf(GENERAL));
    }
}
