package dev.lmstudiosidecar.routing;

/** A model the selector left out, and why in a few words ("an embedding model", "does not support coding", ...). */
public record RejectedModel(String model, String reason) {
}
