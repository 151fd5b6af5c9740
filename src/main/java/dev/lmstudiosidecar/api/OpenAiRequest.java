package dev.lmstudiosidecar.api;

/**
 * A validated request, ready to forward.
 *
 * @param model        the requested model, or null when the body names none
 * @param upstreamBody the bytes to send upstream: the client's own bytes unless hint fields had to be removed
 */
public record OpenAiRequest(OpenAiEndpoint endpoint, String model, boolean stream, RequestHints hints, byte[] upstreamBody) {

    public static final String AUTO_MODEL = "auto";

    /** {@code "auto"} or no model at all asks the sidecar to choose. */
    public boolean wantsRouting() {
        return endpoint.generates() && (model == null || AUTO_MODEL.equals(model));
    }
}
