package dev.lmstudiosidecar.fleet;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * Address lists in one canonical form, so that two resolutions of the same pods compare equal: each
 * address written the one way RFC 5952 allows ({@code ::1}, not {@code 0:0:0:0:0:0:0:1}), IPv4 before
 * IPv6, then in numeric order (10.0.0.9 before 10.0.0.10), no duplicates.
 */
final class Addresses {

    private static final Comparator<byte[]> NUMERIC = Comparator.<byte[]>comparingInt(bytes -> bytes.length)
            .thenComparing(Arrays::compareUnsigned);

    private Addresses() {
    }

    /** The canonical list of {@code literals}; anything that is not an IP literal fails, and is never looked up. */
    static List<String> canonical(Collection<String> literals) throws UnknownHostException {
        TreeMap<byte[], String> sorted = new TreeMap<>(NUMERIC);
        for (String literal : literals) {
            byte[] bytes = NetUtil.createByteArrayFromIpAddressString(literal);
            if (bytes == null) {
                throw new UnknownHostException("not an IP address: " + literal);
            }
            sorted.putIfAbsent(bytes, NetUtil.toAddressString(InetAddress.getByAddress(bytes)));
        }
        return List.copyOf(sorted.values());
    }

    /** The canonical list of addresses the JVM resolved. */
    static List<String> canonical(InetAddress[] addresses) throws UnknownHostException {
        List<String> literals = new ArrayList<>(addresses.length);
        for (InetAddress address : addresses) {
            literals.add(NetUtil.toAddressString(address));
        }
        return canonical(literals);
    }
}
