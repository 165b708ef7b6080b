package chatroom.web;

import static chatroom.web.ClientAddressTest.setCookie;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import chatroom.web.HttpProtocolTest.RawHttp;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The site as users see it ({@code --public-url}): requests for another host are refused, WebSockets
 * come only from its pages, an https site gets Secure cookies and, if asked, HSTS. Without it, the Host
 * header is the site, and the scheme counts when a trusted proxy reports it.
 */
class PublicUrlTest {

    @Test
    void a_rebound_name_is_refused_even_when_its_origin_matches_its_host() throws Exception {
        try (TestServer server = TestServer.start("--public-url", "http://chat.example.org");
                RawHttp raw = RawHttp.connect(server)) {
            // when a page on evil.example, its name rebound to this server, opens a socket
            raw.send(upgrade("/r/x/ws", "evil.example", "http://evil.example"));
            RawHttp.Reply reply = raw.read();
            // then
            assertThat(reply.status()).isEqualTo(421);
            assertThat(reply.text()).contains("This server answers for chat.example.org, not evil.example.");
        }
    }

    @Test
    void a_page_for_another_host_is_421_and_for_the_public_host_or_localhost_is_served() throws Exception {
        try (TestServer server = TestServer.start("--public-url", "https://chat.example.org/")) {
            assertThat(server.get("/", "X-Test", "1").statusCode()).as("127.0.0.1 is loopback").isEqualTo(200);
            try (RawHttp raw = RawHttp.connect(server)) {
                raw.send("GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n");
                assertThat(raw.read().status()).isEqualTo(421);
                raw.send("GET / HTTP/1.1\r\nHost: chat.example.org\r\n\r\n");
                assertThat(raw.read().status()).isEqualTo(200);
                raw.send("GET / HTTP/1.1\r\nHost: chat.example.org:8443\r\n\r\n");
                assertThat(raw.read().status()).as("another port is another site").isEqualTo(421);
            }
        }
    }

    @Test
    void a_loopback_host_is_served_on_this_machine_but_refused_when_a_trusted_proxy_relays_it() throws Exception {
        try (TestServer server = TestServer.start("--public-url", "https://chat.example.org", "--trusted-proxies", "127.0.0.1")) {
            for (String loopback : List.of("localhost", "127.0.0.1:" + server.port(), "[::1]:" + server.port())) {
                // when a visitor writes a loopback name into its request to the proxy (127.0.0.1), then
                try (RawHttp proxy = RawHttp.connect(server)) {
                    proxy.send("GET / HTTP/1.1\r\nHost: " + loopback + "\r\nX-Forwarded-For: 203.0.113.5\r\n\r\n");
                    assertThat(proxy.read().status()).as("Host: " + loopback + " relayed").isEqualTo(421);
                    proxy.send("GET / HTTP/1.1\r\nHost: chat.example.org\r\nX-Forwarded-For: 203.0.113.5\r\n"
                            + "X-Forwarded-Host: " + loopback + "\r\n\r\n");
                    assertThat(proxy.read().status()).as("X-Forwarded-Host: " + loopback).isEqualTo(421);
                }
                // while an operator on the machine itself (127.0.0.2, not the proxy) is served
                try (RawHttp operator = RawHttp.connectFrom("127.0.0.2", server)) {
                    operator.send("GET / HTTP/1.1\r\nHost: " + loopback + "\r\n\r\n");
                    assertThat(operator.read().status()).as("Host: " + loopback + " on this machine").isEqualTo(200);
                }
            }
            // and the proxy's visitors that ask for the public host are served
            try (RawHttp proxy = RawHttp.connect(server)) {
                proxy.send("GET / HTTP/1.1\r\nHost: chat.example.org\r\nX-Forwarded-For: 203.0.113.5\r\n\r\n");
                assertThat(proxy.read().status()).isEqualTo(200);
            }
        }
    }

    @Test
    void with_a_public_url_a_socket_is_accepted_only_from_its_pages() throws Exception {
        try (TestServer server = TestServer.start("--public-url", "https://chat.example.org")) {
            try (RawHttp raw = RawHttp.connect(server)) {
                raw.send(upgrade("/r/x/ws", "chat.example.org", "https://chat.example.org"));
                assertThat(raw.readHead().status()).isEqualTo(101);
            }
            try (RawHttp raw = RawHttp.connect(server)) {
                raw.send(upgrade("/r/x/ws", "chat.example.org", "http://chat.example.org"));
                assertThat(raw.read().status()).as("the http page of an https site").isEqualTo(403);
            }
            try (RawHttp raw = RawHttp.connect(server)) {
                raw.send(upgrade("/r/x/ws", "chat.example.org", "https://evil.example"));
                assertThat(raw.read().status()).isEqualTo(403);
            }
        }
    }

    @Test
    void without_a_public_url_the_origin_must_match_the_scheme_a_trusted_proxy_reports() throws Exception {
        try (TestServer server = TestServer.start("--trusted-proxies", "127.0.0.1")) {
            try (RawHttp raw = RawHttp.connect(server)) {
                raw.send(upgrade("/r/x/ws", "chat.example.org", "http://chat.example.org", "X-Forwarded-Proto: https"));
                assertThat(raw.read().status()).as("an http page on an https site").isEqualTo(403);
            }
            try (RawHttp raw = RawHttp.connect(server)) {
                raw.send(upgrade("/r/x/ws", "chat.example.org", "https://chat.example.org", "X-Forwarded-Proto: https"));
                assertThat(raw.readHead().status()).isEqualTo(101);
            }
        }
    }

    @Test
    void an_https_public_url_makes_cookies_secure_and_sends_hsts_when_asked() throws Exception {
        try (TestServer server = TestServer.start("--public-url", "https://chat.example.org", "--hsts", "365d")) {
            var page = server.get("/");
            assertThat(setCookie(page)).contains("; Secure");
            assertThat(page.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");
        }
        try (TestServer server = TestServer.start("--public-url", "https://chat.example.org")) {
            assertThat(server.get("/").headers().firstValue("Strict-Transport-Security")).as("no --hsts").isEmpty();
        }
        try (TestServer server = TestServer.start("--public-url", "http://chat.example.org", "--hsts", "365d")) {
            var page = server.get("/");
            assertThat(setCookie(page)).doesNotContain("Secure");
            assertThat(page.headers().firstValue("Strict-Transport-Security")).as("http site").isEmpty();
        }
    }

    static String upgrade(String path, String host, String origin, String... extraHeaders) {
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nOrigin: " + origin
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n");
        for (String header : extraHeaders) {
            request.append(header).append("\r\n");
        }
        return request.append("\r\n").toString();
    }
}
