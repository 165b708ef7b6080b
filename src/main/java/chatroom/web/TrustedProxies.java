package chatroom.web;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The reverse proxies whose forwarding headers are believed ({@code --trusted-proxies}): addresses and
 * CIDR ranges, IPv4 and IPv6. An IPv4 peer seen as an IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.1})
 * matches its IPv4 range. Immutable; safe from any thread.
 */
final class TrustedProxies {

    static final TrustedProxies NONE = new TrustedProxies(List.of());

    private record Range(byte[] network, int prefixBits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Range> ranges;

    private TrustedProxies(List<Range> ranges) {
        this.ranges = ranges;
    }

    /** From {@code Config}'s checked list: {@code 10.0.0.1}, {@code 10.0.0.0/8}, {@code fd00::/8}. */
    static TrustedProxies of(List<String> rangesText) {
        List<Range> ranges = new ArrayList<>();
        for (String text : rangesText) {
            int slash = text.indexOf('/');
            byte[] network = NetUtil.createByteArrayFromIpAddressString(slash < 0 ? text : text.substring(0, slash));
            if (network == null) {
                throw new IllegalArgumentException("trusted proxy '" + text + "' is not an IP address or CIDR range");
            }
            int bits = slash < 0 ? network.length * 8 : Integer.parseInt(text.substring(slash + 1));
            ranges.add(new Range(network, bits));
        }
        return new TrustedProxies(List.copyOf(ranges));
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }

    boolean contains(InetAddress address) {
        if (address == null || ranges.isEmpty()) {
            return false;
        }
        byte[] bytes = unmapped(address.getAddress());
        for (Range range : ranges) {
            if (range.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /** {@code ::ffff:a.b.c.d} as the four bytes of {@code a.b.c.d}; any other address as it is. */
    static byte[] unmapped(byte[] address) {
        if (address.length != 16) {
            return address;
        }
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return address;
            }
        }
        if (address[10] != (byte) 0xff || address[11] != (byte) 0xff) {
            return address;
        }
        return new byte[] {address[12], address[13], address[14], address[15]};
    }
}
