package dev.lmstudiosidecar.api;

import io.vertx.core.MultiMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which headers cross the sidecar. Everything does except hop-by-hop headers (they describe one
 * connection, not the message), lengths (recomputed per side), the sidecar's own hint headers,
 * and {@code Accept-Encoding} (compressing on loopback costs CPU and would hide error bodies).
 */
final class ForwardedHeaders {

    private static final Set<String> HOP_BY_HOP = caseInsensitive(
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
            "te", "trailer", "transfer-encoding", "upgrade", "content-length", "host");
    private static final Set<String> NOT_UPSTREAM = caseInsensitive("accept-encoding", SidecarHeaders.REQUEST_ID);
    private static final String SIDECAR_PREFIX = "x-sidecar-";

    private ForwardedHeaders() {
    }

    static MultiMap toUpstream(MultiMap fromClient, String requestId) {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        for (Map.Entry<String, String> header : fromClient) {
            String name = header.getKey();
            if (!HOP_BY_HOP.contains(name) && !NOT_UPSTREAM.contains(name) && !isSidecarHeader(name)) {
                out.add(name, header.getValue());
            }
        }
        out.set(SidecarHeaders.REQUEST_ID, requestId);
        return out;
    }

    static void copyToClient(MultiMap fromUpstream, MultiMap toClient) {
        for (Map.Entry<String, String> header : fromUpstream) {
            String name = header.getKey();
            if (!HOP_BY_HOP.contains(name) && !isSidecarHeader(name)) {
                toClient.add(name, header.getValue());
            }
        }
    }

    private static boolean isSidecarHeader(String name) {
        return name.regionMatches(true, 0, SIDECAR_PREFIX, 0, SIDECAR_PREFIX.length());
    }

    private static Set<String> caseInsensitive(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(Set.of(names));
        return set;
    }
}
