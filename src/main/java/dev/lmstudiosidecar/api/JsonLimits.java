package dev.lmstudiosidecar.api;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.lmstudiosidecar.config.SidecarConfig;
import java.util.Map;

/**
 * What a request body's JSON may make the sidecar's parsers do, as Jackson's {@link StreamReadConstraints}:
 * nest {@code sidecar.max-json-depth} levels at most; a string as long as the body itself
 * ({@code sidecar.max-request-body}), since a string never has more characters than the bytes that carry it and a
 * long prompt must never be refused for its length once its body fits (Jackson's own 20M would, past a 20 MiB
 * body); a number 1000 characters at most (Jackson's default: a number is never a prompt).
 */
public record JsonLimits(int maxDepth, long maxBodyBytes) {

    /** The defaults of sidecar.max-json-depth and sidecar.max-request-body. */
    public static final JsonLimits DEFAULT = new JsonLimits(64, 8L * 1024 * 1024);

    /** The response cache reads bodies with Jackson's default depth: a deeper limit would let a body pass here and fail there. */
    static final int DEPTH_CEILING = StreamReadConstraints.DEFAULT_MAX_DEPTH;

    public JsonLimits {
        if (maxDepth < 1 || maxDepth > DEPTH_CEILING) {
            throw new IllegalArgumentException("sidecar.max-json-depth must be from 1 to " + DEPTH_CEILING + ", not " + maxDepth);
        }
    }

    public static JsonLimits of(SidecarConfig sidecar) {
        return new JsonLimits(sidecar.maxJsonDepth(), sidecar.maxRequestBody().bytes());
    }

    StreamReadConstraints constraints() {
        return StreamReadConstraints.builder()
                .maxNestingDepth(maxDepth)
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, Math.max(maxBodyBytes, StreamReadConstraints.DEFAULT_MAX_STRING_LEN)))
                .build();
    }

    /** The 400 for a body past one of the limits, naming the limit (and its key, where it has one). */
    ApiError refusal(StreamConstraintsException e) {
        String jackson = String.valueOf(e.getOriginalMessage());
        if (jackson.contains("nesting depth")) {
            return new ApiError(400, ApiError.INVALID_REQUEST, "json_too_deep", null,
                    "The JSON body nests deeper than the sidecar accepts (" + maxDepth + " levels of objects and arrays;"
                            + " sidecar.max-json-depth).", Map.of());
        }
        // Jackson's words name the limit: "Number value length (1500) exceeds the maximum allowed (1000, ...)".
        int cut = jackson.indexOf(", from");
        return new ApiError(400, ApiError.INVALID_REQUEST, "json_value_too_long", null,
                "The JSON body is beyond what the sidecar reads: " + (cut > 0 ? jackson.substring(0, cut) + ")" : jackson) + ".",
                Map.of());
    }
}
