package chatroom.web;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Which client addresses count as one client for the per-address limits: the rule behind {@link
 * ClientAddress#limitKey()}. An IPv4 address is one client; an IPv6 address counts as its {@code
 * --ipv6-prefix} network (a /64 unless told otherwise), because a host is routinely given a whole /64
 * and can pick a new address in it for every connection, so keying on the exact address would give it
 * 2^64 shares. An IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.7}) is its IPv4 address. Immutable;
 * safe from any thread.
 */
final class AddressGroups {

    static final int DEFAULT_IPV6_PREFIX_BITS = 64;
    static final int MIN_IPV6_PREFIX_BITS = 32;
    static final int MAX_IPV6_PREFIX_BITS = 128;

    /** The key of a client whose address nobody told us: all of them share one client's limits. */
    static final String UNKNOWN = "unknown";

    static final AddressGroups DEFAULT = new AddressGroups(DEFAULT_IPV6_PREFIX_BITS);

    private final int ipv6PrefixBits;

    AddressGroups(int ipv6PrefixBits) {
        if (ipv6PrefixBits < MIN_IPV6_PREFIX_BITS || ipv6PrefixBits > MAX_IPV6_PREFIX_BITS) {
            throw new IllegalArgumentException("IPv6 prefix is /" + ipv6PrefixBits + "; expected /"
                    + MIN_IPV6_PREFIX_BITS + " to /" + MAX_IPV6_PREFIX_BITS);
        }
        this.ipv6PrefixBits = ipv6PrefixBits;
    }

    /**
     * The key every per-address limit counts {@code address} under: {@code 192.0.2.7} for IPv4 (and for
     * {@code ::ffff:192.0.2.7}), {@code 2001:db8:1:2::/64} for any IPv6 address of that /64, and the
     * address alone ({@code 2001:db8::1}) with a prefix of 128.
     */
    String keyOf(InetAddress address) {
        byte[] bytes = TrustedProxies.unmapped(address.getAddress());
        if (bytes.length == 4 || ipv6PrefixBits == MAX_IPV6_PREFIX_BITS) {
            return NetUtil.toAddressString(byAddress(bytes));
        }
        int full = ipv6PrefixBits / 8;
        int rest = ipv6PrefixBits % 8;
        byte[] network = new byte[16];
        System.arraycopy(bytes, 0, network, 0, full);
        if (rest != 0) {
            network[full] = (byte) (bytes[full] & (0xff << (8 - rest)));
        }
        return NetUtil.toAddressString(byAddress(network)) + "/" + ipv6PrefixBits;
    }

    private static InetAddress byAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + bytes.length + " bytes", e); // 4 or 16: cannot happen
        }
    }
}
