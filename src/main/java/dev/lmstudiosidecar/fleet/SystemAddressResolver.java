package dev.lmstudiosidecar.fleet;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The JVM's resolver ({@link InetAddress#getAllByName}: {@code /etc/hosts}, then the system's DNS with its
 * search list), on a worker thread since it blocks. Only the fallback, for a machine without a
 * {@code nameserver} in {@code /etc/resolv.conf}, because of two things the JVM does:
 * <ul>
 * <li>it caches answers for {@code networkaddress.cache.ttl} seconds (30 without a security manager) and
 * failures for {@code networkaddress.cache.negative.ttl} (10), whatever the record's TTL: pods that came or
 * went show that much later. Run with {@code -Dnetworkaddress.cache.ttl=5} where it matters;</li>
 * <li>it cannot tell a name without addresses from one that does not exist: both are an
 * {@link UnknownHostException}, so a headless Service whose pods all left fails here rather than
 * resolving to nothing (a watcher then keeps the last hosts, and the health checks find them gone).</li>
 * </ul>
 * A lookup cannot be interrupted: after {@code timeout} the caller gets a failure while the worker waits on
 * for the system's own timeout. A second lookup of that name meanwhile joins it rather than taking
 * another worker, so a DNS server that stopped answering holds one worker per name, not one per interval.
 */
public final class SystemAddressResolver implements HostAddressResolver {

    private final Vertx vertx;
    private final long timeoutMillis;
    /** Lookups still blocking a worker, by name; guarded by {@code this}. */
    private final Map<String, Future<List<String>>> blocking = new HashMap<>();

    public SystemAddressResolver(Vertx vertx, Duration timeout) {
        this.vertx = vertx;
        this.timeoutMillis = HostAddressResolvers.checkedMillis(timeout);
    }

    @Override
    public Future<List<String>> resolve(String name) {
        Future<List<String>> lookup = lookup(name);
        Promise<List<String>> answer = Promise.promise();
        long timer = vertx.setTimer(timeoutMillis, id -> answer.tryFail(new TimeoutException(
                "the system resolver gave no answer for " + name + " within " + timeoutMillis + " ms")));
        lookup.onComplete(result -> {
            vertx.cancelTimer(timer);
            if (result.succeeded()) {
                answer.tryComplete(result.result());
            } else {
                answer.tryFail(result.cause());
            }
        });
        return answer.future();
    }

    private synchronized Future<List<String>> lookup(String name) {
        Future<List<String>> underWay = blocking.get(name);
        if (underWay != null) {
            return underWay;
        }
        Future<List<String>> lookup = vertx.executeBlocking(() -> Addresses.canonical(InetAddress.getAllByName(name)), false);
        blocking.put(name, lookup);
        lookup.onComplete(done -> forget(name));
        return lookup;
    }

    private synchronized void forget(String name) {
        blocking.remove(name);
    }
}
