package chatroom.web;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Who sent a request and how they reached us: the client's IP address, the scheme and the host the
 * user's browser used, and the key the per-address limits count the client under. Directly connected,
 * that is the TCP peer and the {@code Host} header. Behind a reverse proxy listed in {@code
 * --trusted-proxies}, it comes from the proxy's {@code Forwarded} header (RFC 7239) or, without one,
 * from {@code X-Forwarded-For}, {@code -Proto} and {@code -Host}. From any other peer those headers are
 * ignored: anyone can send them, and believing them would let a client pick the address its limits are
 * counted under.
 *
 * <p>The forwarding headers list one hop per proxy, oldest first, each proxy appending the peer it saw.
 * Walking them from the right, every address a trusted proxy vouches for is taken in turn, until one
 * that is not itself a trusted proxy: that is the client. Entries left of it were written by the client
 * and are never read. An entry that is not an address ({@code unknown}, an obfuscated name), or a
 * trusted proxy that names nobody (no forwarding header, or only {@code X-Real-IP}, which is not read),
 * leaves the client unknown: every such client shares the one key {@link AddressGroups#UNKNOWN}, with
 * the limits of one address. Counting it as the proxy instead would exempt it when the proxy is on this
 * machine.
 *
 * <p>Built once per request, by {@link Request#client}; used for the per-address limits ({@link
 * #limitKey}), the host and origin checks, the cookie's {@code Secure} flag and log lines.
 *
 * @param ip the client's address as text, e.g. {@code 203.0.113.9} or {@code 2001:db8::1}; for an
 *     unknown client, the last address known (the proxy that could not say), for log lines
 * @param scheme {@code http} or {@code https} as a trusted proxy reported it, or null when unknown (this
 *     server speaks plain HTTP itself, but an unlisted proxy may have taken TLS off in front of it)
 * @param host the host (and port) the user addressed: a trusted proxy's, else the {@code Host} header;
 *     null if neither
 * @param proxied true when the TCP peer is a trusted proxy, so the request was relayed for someone else
 * @param limitKey see {@link #limitKey()}
 */
record ClientAddress(String ip, String scheme, String host, boolean proxied, String limitKey) {

    private static final Pattern HOST = Pattern.compile("(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?");

    /**
     * The key every per-address limit counts this client under (sockets per address, the address's
     * message share, and any other limit per client address), from {@link AddressGroups#keyOf}: the IPv4
     * address, the IPv6 address's {@code --ipv6-prefix} network, or {@link AddressGroups#UNKNOWN} when a
     * trusted proxy did not say who it relays. Null only for this machine connecting directly (a loopback
     * peer not in {@code --trusted-proxies}): a load generator, or a proxy missing from that list, which
     * would stand for every visitor at once, so it has no per-address limits, only the overall ones.
     */
    @Override
    public String limitKey() {
        return limitKey;
    }

    boolean https() {
        return "https".equals(scheme);
    }

    @Override
    public String toString() {
        return ip;
    }

    static ClientAddress of(SocketAddress peer, HttpHeaders headers, TrustedProxies trusted, AddressGroups groups) {
        InetAddress peerAddress = peer instanceof InetSocketAddress inet ? inet.getAddress() : null;
        String hostHeader = validHost(headers.get(HttpHeaderNames.HOST));
        String peerText = peerAddress == null ? String.valueOf(peer) : text(peerAddress);
        if (!trusted.contains(peerAddress)) {
            String key = peerAddress == null
                    ? AddressGroups.UNKNOWN
                    : isLoopback(peerAddress) ? null : groups.keyOf(peerAddress);
            return new ClientAddress(peerText, null, hostHeader, false, key);
        }
        List<Hop> hops = headers.contains("Forwarded") ? forwarded(headers.getAll("Forwarded")) : xForwarded(headers);
        InetAddress client = null;
        boolean named = false; // the walk ended on an address, not on a hop that could not say
        Hop chosen = null;
        for (int i = hops.size() - 1; i >= 0; i--) {
            Hop hop = hops.get(i);
            if (i == hops.size() - 1 && !hop.named()) {
                chosen = hop; // the proxy says how it was reached, but not by whom
                break;
            }
            if (hop.address() == null) {
                named = false; // the proxy on its right is the last we know, and it is not the client
                break;
            }
            client = hop.address();
            named = true;
            chosen = hop;
            if (!trusted.contains(client)) {
                break;
            }
        }
        String ip = client != null ? text(client) : peerText;
        String key = named ? groups.keyOf(client) : AddressGroups.UNKNOWN;
        if (chosen == null) {
            return new ClientAddress(ip, null, hostHeader, true, key);
        }
        String host = validHost(chosen.host());
        return new ClientAddress(ip, scheme(chosen.proto()), host != null ? host : hostHeader, true, key);
    }

    /** 127.0.0.0/8 and ::1, also as an IPv4-mapped address. */
    private static boolean isLoopback(InetAddress address) {
        byte[] bytes = TrustedProxies.unmapped(address.getAddress());
        return bytes.length == 4 ? bytes[0] == 127 : address.isLoopbackAddress();
    }

    /** One proxy's report of the connection it received: from whom, over what, for which host. */
    private record Hop(InetAddress address, boolean named, String proto, String host) {}

    /**
     * RFC 7239: {@code Forwarded: for=192.0.2.60;proto=https;host=chat.example.org, for="[2001:db8::1]:4711"}.
     * Every header line is one more list of hops, in order.
     */
    private static List<Hop> forwarded(List<String> lines) {
        List<Hop> hops = new ArrayList<>();
        for (String line : lines) {
            for (String element : split(line, ',')) {
                String forValue = null;
                String proto = null;
                String host = null;
                for (String pair : split(element, ';')) {
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        continue;
                    }
                    String name = pair.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                    String value = unquote(pair.substring(eq + 1).trim());
                    switch (name) {
                        case "for" -> forValue = value;
                        case "proto" -> proto = value;
                        case "host" -> host = value;
                        default -> {} // "by" and extensions are not needed
                    }
                }
                hops.add(new Hop(node(forValue), forValue != null, proto, host));
            }
        }
        return hops;
    }

    /**
     * {@code X-Forwarded-For: client, proxy1} with {@code X-Forwarded-Proto} and {@code -Host}: each hop
     * takes the proto and host at its own position when the lists are as long as the address list, else
     * the last ones, which the nearest proxy wrote.
     */
    private static List<Hop> xForwarded(HttpHeaders headers) {
        List<String> addresses = values(headers.getAll("X-Forwarded-For"));
        List<String> protos = values(headers.getAll("X-Forwarded-Proto"));
        List<String> hosts = values(headers.getAll("X-Forwarded-Host"));
        List<Hop> hops = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i++) {
            hops.add(new Hop(node(addresses.get(i)), true, at(protos, i, addresses.size()), at(hosts, i, addresses.size())));
        }
        if (addresses.isEmpty() && (!protos.isEmpty() || !hosts.isEmpty())) {
            hops.add(new Hop(null, false, at(protos, 0, 0), at(hosts, 0, 0)));
        }
        return hops;
    }

    private static String at(List<String> values, int i, int hops) {
        if (values.isEmpty()) {
            return null;
        }
        return values.size() == hops ? values.get(i) : values.get(values.size() - 1);
    }

    private static List<String> values(List<String> lines) {
        List<String> values = new ArrayList<>();
        for (String line : lines) {
            for (String value : line.split(",")) {
                if (!value.isBlank()) {
                    values.add(value.trim());
                }
            }
        }
        return values;
    }

    /** A node of either header: {@code 192.0.2.60}, {@code 192.0.2.60:4711}, {@code [2001:db8::1]:4711}, {@code 2001:db8::1}; null if none. */
    static InetAddress node(String node) {
        if (node == null || node.isEmpty()) {
            return null;
        }
        String address = node;
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            if (close < 0) {
                return null;
            }
            address = address.substring(1, close);
        } else if (address.indexOf(':') > 0 && address.indexOf(':') == address.lastIndexOf(':')) {
            address = address.substring(0, address.indexOf(':')); // IPv4 with a port
        }
        return NetUtil.createInetAddressFromIpAddressString(address);
    }

    private static String scheme(String proto) {
        if (proto == null) {
            return null;
        }
        String scheme = proto.trim().toLowerCase(Locale.ROOT);
        return scheme.equals("http") || scheme.equals("https") ? scheme : null;
    }

    /** A host and optional port as a browser sends it, lower case; null for anything else. */
    private static String validHost(String host) {
        if (host == null) {
            return null;
        }
        String trimmed = host.trim().toLowerCase(Locale.ROOT);
        return HOST.matcher(trimmed).matches() ? trimmed : null;
    }

    private static String text(InetAddress address) {
        return NetUtil.toAddressString(address);
    }

    /** Splits on {@code separator} outside double quotes. */
    private static List<String> split(String text, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted && i + 1 < text.length()) {
                part.append(c).append(text.charAt(++i));
                continue;
            }
            if (c == separator && !quoted) {
                parts.add(part.toString().trim());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        parts.add(part.toString().trim());
        return parts;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1).replaceAll("\\\\(.)", "$1");
        }
        return value;
    }
}
