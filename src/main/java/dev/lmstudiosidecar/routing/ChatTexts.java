package dev.lmstudiosidecar.routing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages of a request body as the classifier reads them, with Jackson's tokens (no tree, no
 * binding): every field but {@code messages} and {@code prompt} is stepped over whole.
 *
 * <ul>
 *   <li>Chat completions: {@code messages}, each {@code {role, content}}; content is a string, or an
 *       array of parts of which the {@code {"type":"text","text":...}} ones are joined by a newline
 *       (images, audio and the rest say nothing about the task); a missing or null content is an
 *       empty text, a missing role an empty role (context, never the user).</li>
 *   <li>Completions: {@code prompt}, a string or an array of strings, each a user message; token
 *       arrays are skipped.</li>
 * </ul>
 *
 * The body was validated before; still, a malformed one gives the messages read before the fault
 * (and a message whose content was read whole), never an exception: classifying is best effort.
 */
public final class ChatTexts {

    private static final JsonFactory JSON = new JsonFactory();

    private ChatTexts() {
    }

    public static List<ChatText> fromBody(byte[] body, int offset, int length) {
        return fromBody(body, offset, length, 0);
    }

    /**
     * As {@link #fromBody(byte[], int, int)}, keeping of a text longer than twice {@code keepChars} only its first and
     * last {@code keepChars} characters, joined by a newline: what a classifier that reads no more would see, without
     * copying a long prompt whole (0: keep everything).
     */
    public static List<ChatText> fromBody(byte[] body, int offset, int length, int keepChars) {
        List<ChatText> texts = new ArrayList<>();
        Message pending = new Message();
        try (JsonParser parser = JSON.createParser(body, offset, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return texts;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("messages".equals(field) && value == JsonToken.START_ARRAY) {
                    readMessages(parser, texts, pending, keepChars);
                } else if ("prompt".equals(field)) {
                    readPrompt(parser, value, texts, keepChars);
                } else {
                    parser.skipChildren();
                }
            }
        } catch (IOException malformed) {
            pending.addTo(texts);
        }
        return texts;
    }

    /** One message as it is read: role and content may come in either order. */
    private static final class Message {
        String role;
        StringBuilder text;

        void part(String part) {
            if (text == null) {
                text = new StringBuilder(part);
            } else {
                text.append('\n').append(part);
            }
        }

        /** Adds a message whose content was read (all of it when the body was whole), and starts on the next. */
        void addTo(List<ChatText> texts) {
            if (text != null) {
                texts.add(new ChatText(role == null ? "" : role, text.toString()));
            }
            role = null;
            text = null;
        }
    }

    private static void readMessages(JsonParser parser, List<ChatText> texts, Message message, int keep) throws IOException {
        for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY && element != null; element = parser.nextToken()) {
            if (element != JsonToken.START_OBJECT) {
                parser.skipChildren();
                continue;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("role".equals(field) && value == JsonToken.VALUE_STRING) {
                    message.role = parser.getText();
                } else if ("content".equals(field)) {
                    readContent(parser, value, message, keep);
                } else {
                    parser.skipChildren();
                }
            }
            if (message.text == null) {
                message.text = new StringBuilder(); // no content, or a null one: an empty message, kept for its place
            }
            message.addTo(texts);
        }
    }

    private static void readContent(JsonParser parser, JsonToken value, Message message, int keep) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            message.part(text(parser, keep));
            return;
        }
        if (value != JsonToken.START_ARRAY) {
            parser.skipChildren();
            return;
        }
        for (JsonToken part = parser.nextToken(); part != JsonToken.END_ARRAY && part != null; part = parser.nextToken()) {
            if (part != JsonToken.START_OBJECT) {
                parser.skipChildren();
                continue;
            }
            String type = null;
            String text = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken partValue = parser.nextToken();
                if ("type".equals(field) && partValue == JsonToken.VALUE_STRING) {
                    type = parser.getText();
                } else if ("text".equals(field) && partValue == JsonToken.VALUE_STRING) {
                    text = text(parser, keep);
                } else {
                    parser.skipChildren();
                }
            }
            if ("text".equals(type) && text != null) {
                message.part(text);
            }
        }
    }

    private static void readPrompt(JsonParser parser, JsonToken value, List<ChatText> texts, int keep) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            texts.add(new ChatText("user", text(parser, keep)));
            return;
        }
        if (value != JsonToken.START_ARRAY) {
            parser.skipChildren();
            return;
        }
        for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY && element != null; element = parser.nextToken()) {
            if (element == JsonToken.VALUE_STRING) {
                texts.add(new ChatText("user", text(parser, keep)));
            } else {
                parser.skipChildren();
            }
        }
    }

    /** The current string token, or only its two ends when it is longer than twice {@code keep} (from the parser's buffer, no whole copy). */
    private static String text(JsonParser parser, int keep) throws IOException {
        int length = parser.getTextLength();
        if (keep <= 0 || length <= 2 * keep) {
            return parser.getText();
        }
        char[] chars = parser.getTextCharacters();
        int start = parser.getTextOffset();
        return new StringBuilder(2 * keep + 1).append(chars, start, keep).append('\n')
                .append(chars, start + length - keep, keep).toString();
    }
}
