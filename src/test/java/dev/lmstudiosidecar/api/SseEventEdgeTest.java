package dev.lmstudiosidecar.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SseEventEdgeTest {

    private static final String EVENT = "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}";

    /** Each stream is cut into one-byte chunks too: a line or a blank line split across chunks is still seen. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "nothing at all                        | ''                                      | false",
            "whole events and [DONE]               | EVENT\\n\\ndata: [DONE]\\n\\n          | false",
            "whole events, no [DONE] (not a cut)   | EVENT\\n\\nEVENT\\n\\n                 | false",
            "CRLF line ends                        | EVENT\\r\\n\\r\\n                         | false",
            "[DONE] without its blank line         | EVENT\\n\\ndata: [DONE]\\n              | false",
            "[DONE] without its newline            | EVENT\\n\\ndata:[DONE]                  | false",
            "a comment after the last event        | EVENT\\n\\n: keep-alive\\n              | false",
            "an event cut mid-JSON                 | EVENT\\n\\ndata: {\"choi                 | true",
            "a data line without its blank line    | EVENT\\n\\nEVENT\\n                     | true",
            "a cut field name                      | EVENT\\n\\nda                            | true",
            "a cut [DONE]                          | EVENT\\n\\ndata: [DO                     | true",
            "[DONE] as the second line of an event | EVENT\\ndata: [DONE]\\n                 | true",
    })
    void tellsAStreamCutInsideAnEventFromOneThatEndedBetweenEvents(String what, String stream, boolean cut) {
        String bytes = stream.replace("EVENT", EVENT).replace("\\n", "\n").replace("\\r", "\r");
        SseEventEdge whole = new SseEventEdge();
        whole.onBytes(Buffer.buffer(bytes));
        assertEquals(cut, whole.endsMidEvent(), what);
        SseEventEdge bytewise = new SseEventEdge();
        for (char c : bytes.toCharArray()) {
            bytewise.onBytes(Buffer.buffer(String.valueOf(c)));
        }
        assertEquals(cut, bytewise.endsMidEvent(), what + ", a byte at a time");
    }
}
