package dev.lmstudiosidecar.fleet;

import io.vertx.core.Future;
import java.util.List;

/**
 * Turns a host name into the addresses it has now. The fleet asks again every interval, so an
 * implementation must not cache longer than the name's owner means it to live: a Kubernetes headless
 * Service's pods come and go, and one that left must stop being called.
 */
public interface HostAddressResolver {

    /**
     * The name's IPv4 and IPv6 addresses, textual ({@code 10.1.2.3}, {@code fd00::1}), sorted (IPv4 first),
     * without duplicates; an empty list when the name exists but has no address (a headless Service without
     * ready pods). Fails when the name does not exist (NXDOMAIN, {@link java.net.UnknownHostException}), when
     * the server fails, and when no answer came within the resolver's timeout.
     */
    Future<List<String>> resolve(String name);

    /** Releases what the resolver holds (a socket); it resolves nothing afterwards. */
    default Future<Void> close() {
        return Future.succeededFuture();
    }
}
