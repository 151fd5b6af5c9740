package dev.lmstudiosidecar.fleet;

import io.netty.util.NetUtil;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Chooses the resolver for {@code lmstudio.hosts-dns}: the DNS server {@code lmstudio.hosts-dns-server}
 * names; else the first {@code nameserver} of {@code /etc/resolv.conf} (how a Kubernetes pod reaches
 * CoreDNS), asked directly so that no cache delays pods that come and go; else, on a machine without one,
 * the JVM's resolver ({@link SystemAddressResolver}, which caches). The DNS server is asked with
 * resolv.conf's {@code search} list and {@code ndots}, so a short Service name works as in any program in
 * the pod; a name ending in a dot skips them.
 */
public final class HostAddressResolvers {

    /** The DNS server to ask, {@code ip:port} ({@code [v6]:port}; the port defaults to 53). */
    public static final String SERVER_KEY = "lmstudio.hosts-dns-server";
    /** Where a Linux machine and a Kubernetes pod keep their resolver's settings. */
    public static final Path SYSTEM_RESOLV_CONF = Path.of("/etc/resolv.conf");

    private static final Logger LOG = Logger.getLogger(HostAddressResolvers.class);
    private static final int DNS_PORT = 53;

    private HostAddressResolvers() {
    }

    /**
     * @param server     {@value #SERVER_KEY}, if set
     * @param timeout    bound on one query (the DNS server) or one lookup (the JVM's resolver); at least 1 ms
     * @param resolvConf {@link #SYSTEM_RESOLV_CONF} but in tests; a missing file means no nameserver and no search list
     * @throws IllegalArgumentException when {@code server} is no {@code ip:port}, or the timeout is below 1 ms
     */
    public static HostAddressResolver forConfig(Vertx vertx, Optional<String> server, Duration timeout, Path resolvConf) {
        ResolvConf conf = read(resolvConf);
        if (server.isPresent()) {
            HostAndPort named = HostAndPort.parse(SERVER_KEY, server.get(), DNS_PORT);
            if (!isIpAddress(named.host())) {
                // Vert.x would look the server's own name up with the JVM's blocking resolver
                throw HostAndPort.invalid(SERVER_KEY, server.get(), "the DNS server must be an IP address, such as 10.96.0.10:53");
            }
            return new DnsServerAddressResolver(vertx, named.host(), named.port(), timeout, conf.search(), conf.ndots());
        }
        Optional<String> nameserver = conf.nameservers().stream().filter(HostAddressResolvers::isIpAddress).findFirst();
        if (nameserver.isPresent()) {
            return new DnsServerAddressResolver(vertx, nameserver.get(), DNS_PORT, timeout, conf.search(), conf.ndots());
        }
        return new SystemAddressResolver(vertx, timeout);
    }

    /** A timeout in whole milliseconds, at least one: an unbounded or zero wait is a mistake. */
    static long checkedMillis(Duration timeout) {
        if (timeout.isNegative() || timeout.toMillis() < 1) {
            throw new IllegalArgumentException("a DNS timeout must be at least 1ms (given " + timeout + ")");
        }
        return timeout.toMillis();
    }

    private static boolean isIpAddress(String host) {
        return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
    }

    private static ResolvConf read(Path resolvConf) {
        try {
            return ResolvConf.read(resolvConf);
        } catch (IOException | RuntimeException unreadable) {
            LOG.warnf("Cannot read %s (%s): host names are resolved without its nameserver and search list", resolvConf, unreadable);
            return ResolvConf.NONE;
        }
    }
}
