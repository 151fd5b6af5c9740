package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.models.TaskType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Objects;

/**
 * What a request is for, from its messages' words: the seed's {@code TaskClassifier}, made sound.
 *
 * <p>The seed joined every message and tested each task's pattern once ({@code match} without the
 * global flag), so a task scored 0 or 1 whatever the text said. Here every whole-word, case-insensitive
 * match counts; a match counts {@link ClassifierSettings#lastUserWeight()} in the last user message
 * (what is asked now) and {@link ClassifierSettings#contextWeight()} anywhere else (system prompt,
 * earlier turns, tool output); and each code block or stack trace adds
 * {@link ClassifierSettings#codeWeight()} to coding, times its message's weight. Without a user message,
 * every message is context.
 *
 * <p>As in the seed: the primary task is the one with the highest score, ties going to the first in
 * the order coding, research, creative, analysis; its confidence is {@code min(score * 0.2, 1)}.
 * When no task scored, the request is {@code general} with confidence 0. When the best confidence is
 * below {@link ClassifierSettings#minConfidence()}, it is {@code general} too, with that weak
 * confidence kept so callers see how close it came, and every task that scored as secondary.
 * Otherwise the secondary tasks are the others that scored, best first (ties in the same order).
 *
 * <p>Bounded, as it runs on the event loop for every routed request: only the last
 * {@link #MAX_MESSAGES} messages, and of each only the first and last
 * {@link ClassifierSettings#scanChars()} characters, are read, in one pass with no per-word allocation.
 * Immutable and thread-safe; build one per settings and share it.
 */
public final class TaskClassifier {

    /** How many messages, counted from the last, are read: a long conversation's early turns say little about the next. */
    public static final int MAX_MESSAGES = 64;
    /** The seed's confidence per point of score. */
    public static final double CONFIDENCE_PER_POINT = 0.2;

    /** The tasks that can score, in the order that breaks ties (the seed's). */
    private static final List<TaskType> SCORED = List.of(TaskType.CODING, TaskType.RESEARCH, TaskType.CREATIVE, TaskType.ANALYSIS);

    private final ClassifierSettings settings;
    private final KeywordIndex index;

    public TaskClassifier(ClassifierSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.index = new KeywordIndex(settings.keywords());
    }

    public ClassifierSettings settings() {
        return settings;
    }

    /** Classifies a request by its messages, in order (a completion's prompt as user messages). */
    public TaskClassification classify(List<ChatText> messages) {
        Objects.requireNonNull(messages, "messages");
        double[] scores = score(messages);
        TaskType best = null;
        for (TaskType task : SCORED) {
            if (scores[task.ordinal()] > 0 && (best == null || scores[task.ordinal()] > scores[best.ordinal()])) {
                best = task;
            }
        }
        Map<TaskType, Double> byTask = new EnumMap<>(TaskType.class);
        SCORED.forEach(task -> byTask.put(task, scores[task.ordinal()]));
        if (best == null) {
            return new TaskClassification(TaskType.GENERAL, 0, List.of(), byTask, false);
        }
        double confidence = Math.min(scores[best.ordinal()] * CONFIDENCE_PER_POINT, 1.0);
        TaskType primary = confidence < settings.minConfidence() ? TaskType.GENERAL : best;
        List<TaskType> secondary = new ArrayList<>();
        for (TaskType task : SCORED) {
            if (task != primary && scores[task.ordinal()] > 0) {
                secondary.add(task);
            }
        }
        secondary.sort(Comparator.comparingDouble((TaskType task) -> scores[task.ordinal()]).reversed()); // stable: ties keep the order
        return new TaskClassification(primary, confidence, secondary, byTask, false);
    }

    /** Each task's weighted score, by {@link TaskType#ordinal()}. */
    private double[] score(List<ChatText> messages) {
        double[] scores = new double[TaskType.values().length];
        int first = Math.max(0, messages.size() - MAX_MESSAGES);
        int lastUser = lastUserMessage(messages, first);
        MessageScan scan = new MessageScan(index, settings.scanChars());
        ListIterator<ChatText> read = messages.listIterator(first);
        while (read.hasNext()) {
            boolean isLastUser = read.nextIndex() == lastUser;
            String text = read.next().text();
            double weight = isLastUser ? settings.lastUserWeight() : settings.contextWeight();
            if (text.isEmpty() || weight == 0) {
                continue;
            }
            scan.read(text);
            for (TaskType task : SCORED) {
                scores[task.ordinal()] += weight * scan.matches(task);
            }
            scores[TaskType.CODING.ordinal()] += weight * settings.codeWeight() * scan.codeEvidence();
        }
        return scores;
    }

    /** The index of the last user message at or after {@code first}; -1 when there is none. */
    private static int lastUserMessage(List<ChatText> messages, int first) {
        ListIterator<ChatText> back = messages.listIterator(messages.size());
        while (back.hasPrevious() && back.previousIndex() >= first) {
            int at = back.previousIndex();
            if (back.previous().fromUser()) {
                return at;
            }
        }
        return -1;
    }
}
