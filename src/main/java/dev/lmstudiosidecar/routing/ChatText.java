package dev.lmstudiosidecar.routing;

import java.util.Objects;

/**
 * One message of a request as the classifier reads it: its role ({@code system}, {@code user},
 * {@code assistant}, {@code tool}; {@code user} for a completion's prompt) and its text (a message's
 * text parts joined by a newline).
 */
public record ChatText(String role, String text) {

    public ChatText {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(text, "text");
    }

    public boolean fromUser() {
        return "user".equals(role);
    }
}
