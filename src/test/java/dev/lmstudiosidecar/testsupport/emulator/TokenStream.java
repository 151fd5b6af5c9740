package dev.lmstudiosidecar.testsupport.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes one SSE stream event by event on the event loop: a Vert.x timer before each token, never a
 * blocking sleep; pauses on a full write queue instead of buffering the whole answer.
 */
final class TokenStream {

    private final Generation generation;
    private final HttpServerResponse response;
    private final SseEvents events;
    private final long tokenDelayMs;
    private final int dropAfter;
    private final int stallAfter;
    private final int truncateAt;
    private int next;
    private boolean delayServed;

    /**
     * @param dropAfter  data events to send before cutting the connection, or -1 for a normal stream
     * @param stallAfter data events to send before going silent with the connection open, or -1
     * @param truncateAt the data event sent only half, its JSON cut, before the answer ends without [DONE]; or -1
     */
    TokenStream(Generation generation, SseEvents events, long tokenDelayMs, int dropAfter, int stallAfter, int truncateAt) {
        this.generation = generation;
        this.response = generation.response;
        this.events = events;
        this.tokenDelayMs = tokenDelayMs;
        this.dropAfter = dropAfter;
        this.stallAfter = stallAfter;
        this.truncateAt = truncateAt;
    }

    void start() {
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("Connection", "keep-alive");
        response.writeHead(); // headers leave before the first token, as with LM Studio
        step();
    }

    private void step() {
        while (generation.isOpen()) {
            if (next == events.count()) {
                if (generation.end(Generation.Ending.COMPLETED)) {
                    response.end();
                }
                return;
            }
            if (dropAfter >= 0 && next >= dropAfter) {
                generation.drop();
                return;
            }
            if (truncateAt >= 0 && next >= truncateAt) {
                if (generation.end(Generation.Ending.ANSWERED_WITHOUT_GENERATING)) {
                    Buffer event = events.render(next);
                    response.end(event.getBuffer(0, event.length() / 2)); // a clean end of the chunked body, mid-JSON
                }
                return;
            }
            if (stallAfter >= 0 && next >= stallAfter) {
                return; // silence, until the client gives up or the emulator is reset
            }
            if (response.writeQueueFull()) {
                // one-shot: a drain handler left in place would later re-enter step() beside a pending timer
                response.drainHandler(v -> {
                    response.drainHandler(null);
                    step();
                });
                return;
            }
            if (tokenDelayMs > 0 && events.isToken(next) && !delayServed) {
                delayServed = true;
                generation.after(tokenDelayMs, this::step);
                return;
            }
            delayServed = false;
            response.write(events.render(next++));
        }
    }
}
