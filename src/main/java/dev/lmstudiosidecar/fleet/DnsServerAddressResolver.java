package dev.lmstudiosidecar.fleet;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.dns.DnsResponseCode;
import java.io.IOException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Asks one DNS server (CoreDNS in a Kubernetes pod) for a name's A and AAAA records, at once, with Vert.x's
 * non-blocking client. It keeps no cache, so pods that came or went show at the very next resolution, and
 * it tells the two answers a headless Service gives apart: NOERROR without records (the Service exists, no
 * pod is ready) is an empty list, NXDOMAIN (no such name) a failure.
 *
 * <p>A name is tried with the {@code search} domains as the system resolver does (see
 * {@link ResolvConf#candidates}); the next candidate is asked only when both queries of one answered
 * NXDOMAIN. Any other failure (a timeout, SERVFAIL) ends the resolution there: a later candidate could
 * be another name's records. Each query is bounded by the timeout, so a resolution takes at most one
 * timeout plus the NXDOMAIN answers before it.
 */
public final class DnsServerAddressResolver implements HostAddressResolver {

    private final DnsClient client;
    private final String server;
    private final long timeoutMillis;
    private final ResolvConf searching;

    /** Names are asked for exactly as given. */
    public DnsServerAddressResolver(Vertx vertx, String host, int port, Duration timeout) {
        this(vertx, host, port, timeout, List.of(), ResolvConf.DEFAULT_NDOTS);
    }

    /**
     * @param search domains tried after (or, for a name with fewer than {@code ndots} dots, before) the name
     *               itself, as resolv.conf's {@code search}; a name ending in a dot skips them
     */
    public DnsServerAddressResolver(Vertx vertx, String host, int port, Duration timeout, List<String> search, int ndots) {
        this.timeoutMillis = HostAddressResolvers.checkedMillis(timeout);
        this.server = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        this.searching = new ResolvConf(List.of(), search, ndots);
        this.client = vertx.createDnsClient(new DnsClientOptions().setHost(host).setPort(port).setQueryTimeout(timeoutMillis));
    }

    /** The server asked, {@code host:port}. */
    public String server() {
        return server;
    }

    @Override
    public Future<List<String>> resolve(String name) {
        List<String> candidates = searching.candidates(name);
        return resolveFrom(candidates, 0, name);
    }

    @Override
    public Future<Void> close() {
        return client.close();
    }

    private Future<List<String>> resolveFrom(List<String> candidates, int index, String name) {
        if (index == candidates.size()) {
            return Future.failedFuture(new UnknownHostException(name + ": no such name at DNS server " + server
                    + (candidates.size() > 1 ? " (asked for " + String.join(", ", candidates) + ")" : "")));
        }
        String candidate = candidates.get(index);
        Future<List<String>> a = client.resolveA(candidate);
        Future<List<String>> aaaa = client.resolveAAAA(candidate);
        return Future.join(a, aaaa).transform(both -> {
            List<String> found = new ArrayList<>();
            boolean exists = false;
            for (Future<List<String>> answer : List.of(a, aaaa)) {
                if (answer.succeeded()) {
                    exists = true;
                    found.addAll(answer.result());
                } else if (!isNoSuchName(answer.cause())) {
                    return Future.failedFuture(problem(candidate, answer.cause()));
                }
            }
            if (!exists) {
                return resolveFrom(candidates, index + 1, name);
            }
            try {
                return Future.succeededFuture(Addresses.canonical(found));
            } catch (UnknownHostException notAnAddress) {
                return Future.failedFuture(notAnAddress);
            }
        });
    }

    private static boolean isNoSuchName(Throwable failure) {
        return failure instanceof DnsException dns && dns.code() == DnsResponseCode.NXDOMAIN;
    }

    private Exception problem(String candidate, Throwable failure) {
        if (failure instanceof DnsException dns) {
            return new UnknownHostException("DNS server " + server + " answered " + dns.code() + " for " + candidate);
        }
        if (String.valueOf(failure.getMessage()).startsWith("DNS query timeout")) {
            return new TimeoutException("DNS server " + server + " gave no answer for " + candidate + " within " + timeoutMillis + " ms");
        }
        return new IOException("DNS server " + server + " could not be asked for " + candidate + ": " + failure, failure);
    }
}
