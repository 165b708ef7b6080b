package chatroom.web;

/**
 * How visitors reach this server: directly, or through the reverse proxies listed in {@code
 * --trusted-proxies}. Decides who a request is from ({@link ClientAddress}) and whether its cookies must
 * be {@code Secure}. Immutable; shared by every connection.
 */
final class Site {

    final TrustedProxies trustedProxies;

    Site(TrustedProxies trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    /** Cookies set on a response to this client carry {@code Secure} when the browser came over https. */
    boolean secureCookies(ClientAddress client) {
        return client.https();
    }
}
