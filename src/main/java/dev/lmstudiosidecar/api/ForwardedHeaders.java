package dev.lmstudiosidecar.api;

import io.vertx.core.MultiMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which headers cross the sidecar. Everything does except hop-by-hop headers (they describe one
 * connection, not the message: the fixed list plus any named in {@code Connection}), lengths
 * (recomputed per side), the sidecar's own headers, and {@code Accept-Encoding} (compressing on
 * loopback costs CPU and would hide error bodies).
 */
final class ForwardedHeaders {

    private static final Set<String> HOP_BY_HOP = caseInsensitive(
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
            "te", "trailer", "transfer-encoding", "upgrade", "content-length", "host", "expect");
    private static final Set<String> NOT_UPSTREAM = caseInsensitive("accept-encoding");
    private static final String SIDECAR_PREFIX = "x-sidecar-";

    private ForwardedHeaders() {
    }

    static MultiMap toUpstream(MultiMap fromClient, String requestId) {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        Set<String> named = namedInConnection(fromClient);
        for (Map.Entry<String, String> header : fromClient) {
            String name = header.getKey();
            if (crosses(name, named) && !NOT_UPSTREAM.contains(name)) {
                out.add(name, header.getValue());
            }
        }
        out.set(SidecarHeaders.REQUEST_ID, requestId);
        return out;
    }

    static void copyToClient(MultiMap fromUpstream, MultiMap toClient) {
        Set<String> named = namedInConnection(fromUpstream);
        for (Map.Entry<String, String> header : fromUpstream) {
            String name = header.getKey();
            if (crosses(name, named)) {
                toClient.add(name, header.getValue());
            }
        }
    }

    private static boolean crosses(String name, Set<String> namedInConnection) {
        return !HOP_BY_HOP.contains(name)
                && !name.equalsIgnoreCase(SidecarHeaders.REQUEST_ID) // the sidecar sets its own
                && !name.regionMatches(true, 0, SIDECAR_PREFIX, 0, SIDECAR_PREFIX.length())
                && !namedInConnection.contains(name);
    }

    private static Set<String> namedInConnection(MultiMap headers) {
        String connection = headers.get("Connection");
        if (connection == null) {
            return Set.of();
        }
        Set<String> named = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (String token : connection.split(",")) {
            named.add(token.trim());
        }
        return named;
    }

    private static Set<String> caseInsensitive(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(Set.of(names));
        return set;
    }
}
