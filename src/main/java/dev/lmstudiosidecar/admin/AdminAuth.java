package dev.lmstudiosidecar.admin;

import dev.lmstudiosidecar.api.ApiError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * {@code sidecar.admin-token}: when set, {@code /admin/*} needs {@code Authorization: Bearer <token>}.
 * Unset, the admin API is as open as the OpenAI one (the API port listens on loopback only).
 */
final class AdminAuth {

    private static final Logger LOG = Logger.getLogger(AdminAuth.class);
    private static final String SCHEME = "Bearer ";

    private final byte[] expected;

    AdminAuth(Optional<String> token) {
        this.expected = token.filter(t -> !t.isBlank()).map(t -> t.strip().getBytes(StandardCharsets.UTF_8)).orElse(null);
        if (expected != null) {
            LOG.info("The admin API (/admin/*) needs Authorization: Bearer <sidecar.admin-token>");
        } else if (token.isPresent()) {
            LOG.warn("sidecar.admin-token is blank: the admin API (/admin/*) is open to whatever reaches the API port");
        } else {
            LOG.info("The admin API (/admin/*) is open to whatever reaches the API port; set sidecar.admin-token to guard it");
        }
    }

    /** Empty when {@code authorization} may pass; else the 401 to answer. */
    Optional<ApiError> check(String authorization) {
        if (expected == null) {
            return Optional.empty();
        }
        String header = authorization == null ? "" : authorization.strip();
        // The scheme is case-insensitive (RFC 7235); the token is not.
        boolean bearer = header.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
        byte[] given = bearer ? header.substring(SCHEME.length()).strip().getBytes(StandardCharsets.UTF_8) : new byte[0];
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
