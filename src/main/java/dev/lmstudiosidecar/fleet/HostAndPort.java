package dev.lmstudiosidecar.fleet;

/**
 * A {@code host:port} setting, split and checked: {@code name:port}, {@code [v6]:port}, or a host alone when
 * there is a default port. A bad value's message names the setting and the value, for the operator to fix.
 */
record HostAndPort(String host, int port) {

    /** @param defaultPort the port when the value names none; 0 when one is required */
    static HostAndPort parse(String key, String value, int defaultPort) {
        String text = value.strip();
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 < text.length() && text.charAt(close + 1) != ':') {
                throw invalid(key, value, "an IPv6 address goes in brackets, [fd00::1]:53");
            }
            host = text.substring(1, close);
            port = close + 1 < text.length() ? text.substring(close + 2) : null;
        } else if (text.indexOf(':') != text.lastIndexOf(':')) {
            host = text; // a bare IPv6 address
            port = null;
        } else {
            int colon = text.indexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
        }
        if (host.isBlank()) {
            throw invalid(key, value, "the host is missing");
        }
        if (port == null) {
            if (defaultPort == 0) {
                throw invalid(key, value, "the port is missing");
            }
            return new HostAndPort(host, defaultPort);
        }
        return new HostAndPort(host, port(key, value, port));
    }

    /** {@code port} as a number from 1 to 65535, or an error naming the setting and its whole {@code value}. */
    static int port(String key, String value, String port) {
        try {
            int number = Integer.parseInt(port);
            if (number >= 1 && number <= 65535) {
                return number;
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw invalid(key, value, "the port must be a number from 1 to 65535");
    }

    static IllegalArgumentException invalid(String key, String value, String why) {
        return new IllegalArgumentException(key + "=" + value + " is not valid: " + why);
    }
}
