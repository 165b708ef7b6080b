package chatroom.web;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether a browser request comes from our own pages. A WebSocket upgrade or form post whose
 * {@code Origin} is another site is refused, so another site's page cannot act with a visitor's cookie
 * (cross-site WebSocket hijacking, CSRF). No Origin at all means a non-browser client, which holds no
 * visitor's cookies unless it is the visitor, so it is allowed.
 */
final class Origins {

    private final Set<String> allowed;

    /** @param allowed extra origins, lower case, e.g. {@code https://chat.example.com}, for servers behind a proxy */
    Origins(Set<String> allowed) {
        this.allowed = allowed;
    }

    boolean allows(String origin, String hostHeader) {
        if (origin == null) {
            return true;
        }
        String normalized = origin.trim().toLowerCase(Locale.ROOT);
        if (allowed.contains(normalized)) {
            return true;
        }
        if (hostHeader == null || normalized.equals("null")) {
            return false;
        }
        try {
            URI uri = new URI(normalized);
            if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                return false;
            }
            int defaultPort = uri.getScheme().equals("https") ? 443 : 80;
            int port = uri.getPort() == -1 ? defaultPort : uri.getPort();
            return authority(uri.getHost(), port).equals(hostAuthority(hostHeader.trim().toLowerCase(Locale.ROOT), defaultPort));
        } catch (Exception e) {
            return false;
        }
    }

    private static String hostAuthority(String host, int defaultPort) {
        int colon = host.lastIndexOf(':');
        if (colon > host.lastIndexOf(']')) {
            return authority(host.substring(0, colon), Integer.parseInt(host.substring(colon + 1)));
        }
        return authority(host, defaultPort);
    }

    private static String authority(String host, int port) {
        return host + ":" + port;
    }
}
