package chatroom.web;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides whether a browser request comes from our own pages, and whether a request was meant for this
 * site at all. A WebSocket upgrade or form post whose {@code Origin} is another site is refused, so
 * another site's page cannot act with a visitor's cookie (cross-site WebSocket hijacking, CSRF). No
 * Origin at all means a non-browser client, which holds no visitor's cookies unless it is the visitor,
 * so it is allowed.
 *
 * <p>With {@code --public-url}, our pages are that URL's origin and nothing else, and a request for
 * another host is refused ({@link #allowsHost}): a page on {@code evil.example} whose name was rebound
 * to this server's address (DNS rebinding) sends {@code Host: evil.example} and {@code Origin:
 * http://evil.example}, which match each other but not the public URL. Without it, the site is whatever
 * the {@code Host} header names, compared with the scheme too when a trusted proxy reported it.
 */
final class Origins {

    /** A scheme, host and port; the port is always explicit, so {@code https://a} equals {@code https://a:443}. */
    record Origin(String scheme, String host, int port) {

        /** An {@code Origin} header or URL prefix such as {@code https://chat.example.org:8443}; null if it is not one. */
        static Origin parse(String text) {
            try {
                URI uri = new URI(text.trim().toLowerCase(Locale.ROOT));
                String scheme = uri.getScheme();
                if (uri.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
                    return null;
                }
                return new Origin(scheme, uri.getHost(), uri.getPort() == -1 ? defaultPort(scheme) : uri.getPort());
            } catch (Exception e) {
                return null;
            }
        }

        /** The origin a {@code Host} header names when reached over {@code scheme}; null if it is no host. */
        static Origin ofHost(String scheme, String host) {
            if (host == null) {
                return null;
            }
            return parse(scheme + "://" + host.trim());
        }

        private static int defaultPort(String scheme) {
            return scheme.equals("https") ? 443 : 80;
        }
    }

    private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.[0-9]{1,3}){3}");

    private final Set<String> allowed;
    private final Origin publicUrl;

    /**
     * @param allowed extra origins, lower case, e.g. {@code https://chat.example.com}, for servers behind a proxy
     * @param publicUrl {@code --public-url}, or "" when unset
     */
    Origins(Set<String> allowed, String publicUrl) {
        this.allowed = allowed;
        this.publicUrl = publicUrl.isEmpty() ? null : Origin.parse(publicUrl);
    }

    /**
     * The request's {@code Origin}, lower-cased, when it is one of our own pages; 403 when it is another
     * site's or missing. For what signs in, out or changes roles: unlike {@link #allows}, no Origin at all
     * is refused too.
     */
    String requireOwnPage(String origin, ClientAddress client) {
        if (origin == null || !allows(origin, client)) {
            throw HttpException.forbidden("This may only be sent from this site's own pages.");
        }
        return origin.trim().toLowerCase(Locale.ROOT);
    }

    /** True when the request's {@code Origin} (null if it sent none) is our own pages' origin. */
    boolean allows(String origin, ClientAddress client) {
        if (origin == null) {
            return true;
        }
        String normalized = origin.trim().toLowerCase(Locale.ROOT);
        if (allowed.contains(normalized)) {
            return true;
        }
        Origin from = Origin.parse(normalized);
        if (from == null) {
            return false; // "null" (a sandboxed frame, a file) or no http(s) origin at all
        }
        if (publicUrl != null) {
            return from.equals(publicUrl);
        }
        // the scheme the browser used, when a trusted proxy told us; else the one the origin claims
        String scheme = client.scheme() != null ? client.scheme() : from.scheme();
        return from.equals(Origin.ofHost(scheme, client.host()));
    }

    /**
     * True when the request is for this site: always without {@code --public-url}; with it, when the host
     * the browser addressed is the public URL's, or a loopback name an operator uses on the machine itself
     * (no browser on another site can make a request carry those). Not a loopback name that a trusted
     * proxy relays: that came from a visitor, who can write any Host into a request to the proxy.
     */
    boolean allowsHost(ClientAddress client) {
        if (publicUrl == null) {
            return true;
        }
        Origin addressed = Origin.ofHost(publicUrl.scheme(), client.host());
        if (addressed == null) {
            return false;
        }
        if (addressed.host().equals(publicUrl.host()) && addressed.port() == publicUrl.port()) {
            return true;
        }
        if (client.proxied()) {
            return false;
        }
        return addressed.host().equals("localhost") || addressed.host().equals("[::1]")
                || LOOPBACK_V4.matcher(addressed.host()).matches();
    }

    /** The public URL's host and port as a browser would send it in {@code Host}, for error messages. */
    String publicHost() {
        if (publicUrl == null) {
            return null;
        }
        return publicUrl.port() == Origin.defaultPort(publicUrl.scheme())
                ? publicUrl.host()
                : publicUrl.host() + ":" + publicUrl.port();
    }

    boolean publicUrlIsHttps() {
        return publicUrl != null && publicUrl.scheme().equals("https");
    }
}
