package dev.lmstudiosidecar.testsupport.emulator;

/** The three OpenAI-compatible generation endpoints. */
enum GenerationKind {
    CHAT("chatcmpl-", "chat.completion"),
    COMPLETION("cmpl-", "text_completion"),
    EMBEDDING("", "list");

    final String idPrefix;
    final String object;

    GenerationKind(String idPrefix, String object) {
        this.idPrefix = idPrefix;
        this.object = object;
    }

    boolean wantsEmbeddingModel() {
        return this == EMBEDDING;
    }

    /** Chat streams name their chunks differently from their full answers; completions do not. */
    String chunkObject() {
        return this == CHAT ? "chat.completion.chunk" : object;
    }

    /** The n-th emulated token; text chosen so tests can count tokens in what they receive. */
    static String token(int i) {
        return "tok" + i + " ";
    }

    static String tokens(int n) {
        StringBuilder sb = new StringBuilder(n * 6);
        for (int i = 0; i < n; i++) {
            sb.append(token(i));
        }
        return sb.toString();
    }
}
