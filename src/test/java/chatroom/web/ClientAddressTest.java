package chatroom.web;

import static chatroom.web.ConnectionLimitsTest.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import chatroom.WsClient;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Who a request is from, behind a reverse proxy or not: forwarding headers count only from a peer in
 * {@code --trusted-proxies}, and the client is the rightmost address that is not itself a trusted proxy.
 */
class ClientAddressTest {

    private static final TrustedProxies LOCAL_PROXY = TrustedProxies.of(List.of("127.0.0.1", "10.0.0.0/8", "::1"));

    // ---- parsing, straight from headers

    @Test
    void forwarding_headers_from_a_peer_that_is_not_a_trusted_proxy_are_ignored() throws Exception {
        ClientAddress client = ClientAddress.of(peer("192.0.2.7"),
                headers("Host", "chat.example.org", "X-Forwarded-For", "198.51.100.1", "X-Forwarded-Proto", "https",
                        "Forwarded", "for=198.51.100.2;proto=https"),
                LOCAL_PROXY, AddressGroups.DEFAULT);
        assertThat(client).isEqualTo(new ClientAddress("192.0.2.7", null, "chat.example.org", false, "192.0.2.7"));
    }

    @Test
    void x_forwarded_for_from_a_trusted_proxy_gives_the_rightmost_address_that_is_not_a_proxy() throws Exception {
        // the client wrote 6.6.6.6 itself; 203.0.113.9 is what the outer proxy (10.0.0.2) saw
        ClientAddress client = ClientAddress.of(peer("127.0.0.1"),
                headers("Host", "internal:8080", "X-Forwarded-For", "6.6.6.6, 203.0.113.9, 10.0.0.2",
                        "X-Forwarded-Proto", "https", "X-Forwarded-Host", "chat.example.org"),
                LOCAL_PROXY, AddressGroups.DEFAULT);
        assertThat(client).isEqualTo(new ClientAddress("203.0.113.9", "https", "chat.example.org", true, "203.0.113.9"));
    }

    @Test
    void forwarded_gives_for_proto_and_host_of_the_hop_that_saw_the_client() throws Exception {
        ClientAddress client = ClientAddress.of(peer("127.0.0.1"),
                headers("Host", "internal:8080",
                        "Forwarded", "for=192.0.2.60;proto=https;host=chat.example.org, for=10.0.0.2;proto=http;host=internal"),
                LOCAL_PROXY, AddressGroups.DEFAULT);
        assertThat(client).isEqualTo(new ClientAddress("192.0.2.60", "https", "chat.example.org", true, "192.0.2.60"));
    }

    @Test
    void forwarded_reads_a_quoted_ipv6_address_with_a_port_and_mixed_case_names() throws Exception {
        ClientAddress client = ClientAddress.of(peer("::1"),
                headers("Forwarded", "For=\"[2001:db8:cafe::17]:4711\"; Proto=HTTPS"), LOCAL_PROXY, AddressGroups.DEFAULT);
        assertThat(client.ip()).isEqualTo("2001:db8:cafe::17");
        assertThat(client.https()).isTrue();
    }

    @Test
    void forwarded_wins_over_x_forwarded_for_and_a_quoted_ipv4_with_a_port_is_read() throws Exception {
        ClientAddress client = ClientAddress.of(peer("127.0.0.1"),
                headers("Forwarded", "for=\"192.0.2.43:47011\"", "X-Forwarded-For", "198.51.100.1"), LOCAL_PROXY, AddressGroups.DEFAULT);
        assertThat(client.ip()).isEqualTo("192.0.2.43");
        assertThat(client.scheme()).as("no proto given").isNull();
    }

    @Test
    void an_unknown_or_obfuscated_hop_makes_the_client_unknown_logged_as_the_proxy_that_wrote_it() throws Exception {
        ClientAddress client = ClientAddress.of(peer("10.1.2.3"), headers("Forwarded", "for=unknown, for=_hidden"),
                LOCAL_PROXY, AddressGroups.DEFAULT);
        assertThat(client.ip()).isEqualTo("10.1.2.3");
        assertThat(client.limitKey()).isEqualTo(AddressGroups.UNKNOWN);
    }

    @Test
    void every_client_a_trusted_proxy_cannot_name_has_the_one_unknown_key_never_none() throws Exception {
        for (HttpHeaders forwarding : List.of(
                headers("X-Forwarded-For", "unknown"),
                headers("X-Forwarded-For", "unknown, 10.0.0.7"), // the inner proxy could not say either
                headers("Forwarded", "for=_hidden"),
                headers("X-Forwarded-Proto", "https"), // how, but not from whom
                headers("X-Real-IP", "198.51.100.7"), // not read
                headers())) {
            ClientAddress client = ClientAddress.of(peer("127.0.0.1"), forwarding, LOCAL_PROXY, AddressGroups.DEFAULT);
            assertThat(client.limitKey()).as(forwarding.toString()).isEqualTo(AddressGroups.UNKNOWN);
            assertThat(client.proxied()).isTrue();
        }
    }

    @Test
    void the_limit_key_groups_ipv6_by_its_64_whether_direct_or_forwarded_and_none_only_for_this_machine_directly()
            throws Exception {
        assertThat(ClientAddress.of(peer("2001:db8:1:2::77"), headers(), LOCAL_PROXY, AddressGroups.DEFAULT).limitKey())
                .isEqualTo("2001:db8:1:2::/64");
        assertThat(ClientAddress.of(peer("127.0.0.1"), headers("X-Forwarded-For", "2001:db8:1:2::78"), LOCAL_PROXY,
                        AddressGroups.DEFAULT).limitKey())
                .isEqualTo("2001:db8:1:2::/64");
        assertThat(ClientAddress.of(peer("127.0.0.1"), headers("X-Forwarded-For", "::ffff:192.0.2.9"), LOCAL_PROXY,
                        AddressGroups.DEFAULT).limitKey())
                .isEqualTo("192.0.2.9");
        // a client inside the trusted ranges, with no proxy before it, is itself the client
        assertThat(ClientAddress.of(peer("127.0.0.1"), headers("X-Forwarded-For", "10.0.0.7"), LOCAL_PROXY,
                        AddressGroups.DEFAULT).limitKey())
                .isEqualTo("10.0.0.7");
        assertThat(ClientAddress.of(peer("127.0.0.2"), headers("X-Forwarded-For", "198.51.100.7"), LOCAL_PROXY,
                        AddressGroups.DEFAULT).limitKey())
                .as("this machine, not a trusted proxy").isNull();
        assertThat(ClientAddress.of(peer("::1"), headers(), TrustedProxies.NONE, AddressGroups.DEFAULT).limitKey())
                .as("::1, no proxies trusted").isNull();
    }

    @Test
    void a_proto_other_than_http_or_https_and_a_host_with_a_path_are_not_believed() throws Exception {
        ClientAddress client = ClientAddress.of(peer("127.0.0.1"),
                headers("Host", "chat.example.org", "X-Forwarded-For", "192.0.2.1",
                        "X-Forwarded-Proto", "javascript", "X-Forwarded-Host", "evil.example/path"),
                LOCAL_PROXY, AddressGroups.DEFAULT);
        assertThat(client).isEqualTo(new ClientAddress("192.0.2.1", null, "chat.example.org", true, "192.0.2.1"));
    }

    @Test
    void ipv6_ranges_match_ipv6_peers() throws Exception {
        TrustedProxies v6 = TrustedProxies.of(List.of("2001:db8::/32"));
        assertThat(v6.contains(InetAddress.getByName("2001:db8:1::5"))).isTrue();
        assertThat(v6.contains(InetAddress.getByName("2001:db9::5"))).isFalse();
        assertThat(v6.contains(InetAddress.getByName("127.0.0.1"))).isFalse();
        assertThat(TrustedProxies.of(List.of("10.0.0.0/9")).contains(InetAddress.getByName("10.127.255.255"))).isTrue();
        assertThat(TrustedProxies.of(List.of("10.0.0.0/9")).contains(InetAddress.getByName("10.128.0.0"))).isFalse();
    }

    // ---- end to end: the per-address socket cap and the cookie's Secure flag

    @Test
    void addresses_a_client_wrote_into_x_forwarded_for_do_not_escape_the_per_address_cap() throws Exception {
        // the proxy on 127.0.0.1 appends the address it saw (203.0.113.5) to whatever the client sent
        try (TestServer server = TestServer.start("--max-sockets-per-ip", "1", "--trusted-proxies", "127.0.0.1");
                WsClient first = WsClient.connect(server.ws("/r/spoof/ws"), "X-Forwarded-For", "198.51.100.1, 203.0.113.5")) {
            assertThat(refusal(() -> WsClient.connect(server.ws("/r/spoof/ws"),
                            "X-Forwarded-For", "198.51.100.2, 203.0.113.5")))
                    .isEqualTo(429);
        }
    }

    @Test
    void behind_a_trusted_proxy_each_forwarded_address_has_its_own_cap() throws Exception {
        try (TestServer server = TestServer.start("--max-sockets-per-ip", "1", "--trusted-proxies", "127.0.0.1,::1");
                WsClient ann = WsClient.connect(server.ws("/r/proxied/ws"), "X-Forwarded-For", "198.51.100.1");
                WsClient bob = WsClient.connect(server.ws("/r/proxied/ws"), "Forwarded", "for=\"[2001:db8::2]\"")) {
            // when another socket comes for an address that holds its one already, then
            assertThat(refusal(() -> WsClient.connect(server.ws("/r/proxied/ws"), "X-Forwarded-For", "198.51.100.1")))
                    .isEqualTo(429);
            // while a third address still gets in
            try (WsClient cy = WsClient.connect(server.ws("/r/proxied/ws"), "X-Forwarded-For", "198.51.100.3")) {
                cy.send("ping");
                cy.awaitFrame("pong"::equals);
            }
        }
    }

    @Test
    void the_cookie_is_secure_when_a_trusted_proxy_says_the_browser_came_over_https() throws Exception {
        try (TestServer server = TestServer.start("--trusted-proxies", "127.0.0.1")) {
            assertThat(setCookie(server.get("/", "X-Forwarded-Proto", "https"))).contains("; Secure");
            assertThat(setCookie(server.get("/"))).doesNotContain("Secure");
        }
        try (TestServer untrusted = TestServer.start()) {
            assertThat(setCookie(untrusted.get("/", "X-Forwarded-Proto", "https"))).doesNotContain("Secure");
        }
    }

    static String setCookie(HttpResponse<?> response) {
        return response.headers().firstValue("Set-Cookie").orElseThrow();
    }

    private static InetSocketAddress peer(String literal) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(literal), 40_000);
    }

    private static HttpHeaders headers(String... namesAndValues) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return headers;
    }
}
