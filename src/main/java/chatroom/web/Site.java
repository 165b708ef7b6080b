package chatroom.web;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;

/**
 * How visitors reach this server: directly, or through the reverse proxies listed in {@code
 * --trusted-proxies}, at the address {@code --public-url} names if it is set. Decides who a request is
 * from ({@link ClientAddress}) and which client its per-address limits count it as ({@link AddressGroups}),
 * whether it was meant for this site at all ({@link Origins#allowsHost}),
 * whether cookies must be {@code Secure}, and the HSTS header. Immutable; shared by every connection.
 */
final class Site {

    final TrustedProxies trustedProxies;
    final AddressGroups addressGroups;
    final Origins origins;
    /** The Strict-Transport-Security value, or null to send none. */
    final String hsts;

    Site(TrustedProxies trustedProxies, AddressGroups addressGroups, Origins origins, Duration hsts) {
        this.trustedProxies = trustedProxies;
        this.addressGroups = addressGroups;
        this.origins = origins;
        this.hsts = origins.publicUrlIsHttps() && !hsts.isZero() ? "max-age=" + hsts.toSeconds() : null;
    }

    /**
     * Cookies carry {@code Secure} when the site is https ({@code --public-url}) or a trusted proxy says
     * this browser came over https: a browser then never sends them over plain http, where anyone on the
     * path could read them.
     */
    boolean secureCookies(ClientAddress client) {
        return origins.publicUrlIsHttps() || client.https();
    }

    /** Refuses a request for another host (421) when {@code --public-url} says which host this site is. */
    void requireOurHost(ClientAddress client) {
        if (!origins.allowsHost(client)) {
            throw new HttpException(HttpResponseStatus.MISDIRECTED_REQUEST, "This server answers for "
                    + origins.publicHost() + ", not " + (client.host() == null ? "a request without a Host" : client.host()) + ".");
        }
    }
}
