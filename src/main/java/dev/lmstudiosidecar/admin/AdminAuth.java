package dev.lmstudiosidecar.admin;

import dev.lmstudiosidecar.api.ApiError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/**
 * {@code sidecar.admin-token}: when set, {@code /admin/*} needs {@code Authorization: Bearer <token>}.
 * Unset, the admin API is as open as the OpenAI one (the API port listens on loopback only).
 */
final class AdminAuth {

    private final byte[] expected;

    AdminAuth(Optional<String> token) {
        this.expected = token.filter(t -> !t.isBlank()).map(t -> ("Bearer " + t.strip()).getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    /** Empty when {@code authorization} may pass; else the 401 to answer. */
    Optional<ApiError> check(String authorization) {
        if (expected == null) {
            return Optional.empty();
        }
        byte[] given = authorization == null ? new byte[0] : authorization.strip().getBytes(StandardCharsets.UTF_8);
        // Constant time, so the answer's timing does not tell how much of a guess was right.
        if (MessageDigest.isEqual(expected, given)) {
            return Optional.empty();
        }
        return Optional.of(new ApiError(401, ApiError.INVALID_REQUEST, "invalid_api_key", null,
                (authorization == null ? "The admin API needs" : "The admin API refused the token given; it needs")
                        + " Authorization: Bearer <sidecar.admin-token>.",
                Map.of("WWW-Authenticate", "Bearer realm=\"lmstudio-sidecar admin\"")));
    }
}
