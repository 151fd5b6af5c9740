package dev.lmstudiosidecar.fleet;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code lmstudio.hosts-dns}: a DNS name whose addresses are the LM Studio hosts, all on one port, such as
 * a Kubernetes headless Service ({@code lmstudio-gpu.models.svc.cluster.local:1234}). Each address becomes
 * a host of its own, {@code http://<address>:<port>/v1}. With {@code https://} in front the hosts are
 * called over TLS; their certificates must then name the addresses, which is rare: plain HTTP inside the
 * cluster is the usual case.
 *
 * @param scheme {@code http} or {@code https}
 * @param name   the DNS name, as given (a trailing dot, which skips the search list, included)
 */
public record DnsHostSpec(String scheme, String name, int port) {

    public static final String KEY = "lmstudio.hosts-dns";

    /** Letters, digits, hyphens and underscores, 1 to 63 of them, between dots; an optional final dot. */
    private static final Pattern DNS_NAME = Pattern.compile("(?=.{1,254}$)([A-Za-z0-9_-]{1,63}\\.)*[A-Za-z0-9_-]{1,63}\\.?");

    public DnsHostSpec {
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw HostAndPort.invalid(KEY, scheme + "://" + name + ":" + port, "the scheme must be http or https");
        }
        if (name == null || !DNS_NAME.matcher(name).matches()) {
            throw HostAndPort.invalid(KEY, scheme + "://" + name + ":" + port, "the name must be a DNS name, such as lmstudio.models.svc.cluster.local");
        }
        if (port < 1 || port > 65535) {
            throw HostAndPort.invalid(KEY, scheme + "://" + name + ":" + port, "the port must be a number from 1 to 65535");
        }
    }

    /** Parses {@code <name>:<port>} or {@code http(s)://<name>:<port>}; an error's message names {@value #KEY} and the value. */
    public static DnsHostSpec parse(String value) {
        if (value == null || value.isBlank()) {
            throw HostAndPort.invalid(KEY, String.valueOf(value), "give <name>:<port>, such as lmstudio.models.svc.cluster.local:1234");
        }
        String text = value.strip();
        String scheme = "http";
        int separator = text.indexOf("://");
        if (separator >= 0) {
            scheme = text.substring(0, separator).toLowerCase(Locale.ROOT);
            text = text.substring(separator + 3);
        }
        if (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw HostAndPort.invalid(KEY, value, "the port is missing: give <name>:<port>, such as lmstudio.models.svc.cluster.local:1234");
        }
        int port = HostAndPort.port(KEY, value, text.substring(colon + 1));
        String name = text.substring(0, colon);
        if (name.isEmpty() || !DNS_NAME.matcher(name).matches()) {
            throw HostAndPort.invalid(KEY, value, "the name must be a DNS name, such as lmstudio.models.svc.cluster.local (no path, no IP address in brackets)");
        }
        return new DnsHostSpec(scheme, name, port);
    }

    /** The OpenAI base URL of the host at {@code address}: {@code http://10.1.2.3:1234/v1}, {@code http://[fd00::1]:1234/v1}. */
    public String baseUrl(String address) {
        String host = address.indexOf(':') >= 0 ? "[" + address + "]" : address;
        return scheme + "://" + host + ":" + port + "/v1";
    }

    @Override
    public String toString() {
        return scheme + "://" + name + ":" + port;
    }
}
