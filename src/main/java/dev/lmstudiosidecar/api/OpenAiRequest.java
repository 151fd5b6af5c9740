package dev.lmstudiosidecar.api;

/**
 * A validated request, ready to forward.
 *
 * @param model           the requested model, or null when the body names none
 * @param rewrittenBody   the body to send upstream instead of the client's, or null to send the client's bytes as
 *                        they are (the rule: only a body with hint fields, or a stream whose usage the sidecar asks
 *                        for, is rewritten)
 * @param addsStreamUsage the sidecar asks upstream for the stream's usage, which the client did not: the usage-only
 *                        chunk must not reach the client
 */
public record OpenAiRequest(OpenAiEndpoint endpoint, String model, boolean stream, RequestHints hints, byte[] rewrittenBody,
                            boolean addsStreamUsage) {

    public static final String AUTO_MODEL = "auto";

    /** {@code "auto"} or no model at all asks the sidecar to choose. */
    public boolean wantsRouting() {
        return endpoint.generates() && (model == null || AUTO_MODEL.equals(model));
    }
}
