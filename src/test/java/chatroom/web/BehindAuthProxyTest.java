package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import chatroom.Nginx;
import chatroom.TestServer;
import chatroom.WsClient;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Single sign-on behind an auth proxy, as docs/DEPLOY.md shows it: a real nginx with the documented site
 * file ({@code deploy/nginx-chatroom-sso.conf}, only its ports changed) asks a stand-in for oauth2-proxy
 * about every request (it knows a visitor by an {@code sso} cookie and answers as oauth2-proxy does, with
 * {@code X-Auth-Request-User} and {@code -Preferred-Username}), and passes the user on in {@code
 * Remote-User}. Requests that go around nginx come from 127.0.0.2, this machine but not the trusted proxy.
 */
class BehindAuthProxyTest {

    static final String SITE = "/deploy/nginx-chatroom-sso.conf";

    private static HttpServer auth;
    private static TestServer server;
    private static Nginx nginx;
    private static int port;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Optional<Path> binary = Nginx.binary();
        if (binary.isEmpty()) return;
        auth = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        auth.createContext("/oauth2/auth", exchange -> {
            String cookie = String.valueOf(exchange.getRequestHeaders().getFirst("Cookie"));
            int at = cookie.indexOf("sso=");
            if (at < 0) {
                exchange.sendResponseHeaders(401, -1);
            } else {
                String user = cookie.substring(at + 4).split(";")[0];
                exchange.getResponseHeaders().add("X-Auth-Request-User", user);
                exchange.getResponseHeaders().add("X-Auth-Request-Preferred-Username", user.substring(0, 1).toUpperCase() + user.substring(1) + " (SSO)");
                exchange.sendResponseHeaders(202, -1);
            }
            exchange.close();
        });
        auth.start();
        server = TestServer.start("--trusted-proxies", "127.0.0.1", "--auth-header", "Remote-User",
                "--auth-name-header", "Remote-Name", "--rate", "0");
        port = Nginx.freePort();
        String site = documentedSite();
        site = BehindNginxTest.replaceOnce(SITE, site, "listen 80;", "listen 127.0.0.1:" + port + ";");
        site = BehindNginxTest.replaceOnce(SITE, site, "server 127.0.0.1:8080;", "server 127.0.0.1:" + server.port() + ";");
        site = BehindNginxTest.replaceOnce(SITE, site, "http://127.0.0.1:4180/oauth2/auth",
                "http://127.0.0.1:" + auth.getAddress().getPort() + "/oauth2/auth");
        nginx = Nginx.start(binary.get(), site, "127.0.0.1", port);
    }

    @BeforeEach
    void needsNginx() {
        assumeTrue(nginx != null, Nginx.MISSING);
    }

    @AfterAll
    static void stop() {
        if (nginx != null) nginx.close();
        if (server != null) server.close();
        if (auth != null) auth.stop(0);
    }

    @Test
    void the_user_the_auth_proxy_names_is_the_account_and_talks_under_that_name() throws Exception {
        HttpResponse<String> page = viaNginx("/r/sso", "sso=alice");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("value=\"Alice (SSO)\"").contains("Signed in by your organisation")
                .doesNotContain("Keep this name");
        assertThat(page.headers().allValues("Set-Cookie")).as("no guest cookie for an account").isEmpty();

        String origin = "http://127.0.0.1:" + port;
        try (WsClient alice = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/r/sso/ws"), "Origin", origin, "Cookie", "sso=alice");
                WsClient bob = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/r/sso/ws"), "Origin", origin, "Cookie", "sso=bob")) {
            alice.awaitHistory();
            bob.awaitHistory();
            alice.say("signed in by the company");
            assertThat(bob.awaitFrame(f -> f.contains("signed in by the company"))).contains("Alice (SSO)");
        }

        // a user who keeps the same header on the way in is the same account every time, on any browser
        HttpResponse<String> again = viaNginx("/", "sso=alice");
        assertThat(again.body()).contains("value=\"Alice (SSO)\"");
        assertThat(tagOf(again.body())).isEqualTo(tagOf(page.body()));
    }

    @Test
    void nginx_turns_away_a_visitor_the_auth_proxy_does_not_know_even_one_who_writes_the_header() throws Exception {
        assertThat(viaNginx("/", null).statusCode()).isEqualTo(401);
        HttpResponse<String> forged = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("Remote-User", "alice").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(401);

        // signed in as bob, claiming to be alice: the auth proxy's word replaces the visitor's
        HttpResponse<String> mixed = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("Cookie", "sso=bob").header("Remote-User", "alice").header("Remote-Name", "Alice (SSO)").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(mixed.body()).contains("value=\"Bob (SSO)\"").doesNotContain("Alice");
    }

    @Test
    void the_header_from_an_address_that_is_not_a_trusted_proxy_is_refused() throws Exception {
        String response = rawGet(InetAddress.getByName("127.0.0.2"), server.port(),
                "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nRemote-User: alice\r\nConnection: close\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 403").contains("accepted only from this server's trusted proxies");
        String withoutHeader = rawGet(InetAddress.getByName("127.0.0.2"), server.port(),
                "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nConnection: close\r\n\r\n");
        assertThat(withoutHeader).as("no header: a guest, as ever").startsWith("HTTP/1.1 200").contains("Keep this name");
    }

    private HttpResponse<String> viaNginx(String path, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (cookie != null) request.header("Cookie", cookie);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String tagOf(String page) {
        int at = page.indexOf("data-me=\"");
        return page.substring(at + 9, page.indexOf('"', at + 9));
    }

    private static String rawGet(InetAddress from, int port, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String documentedSite() throws IOException {
        try (InputStream in = BehindAuthProxyTest.class.getResourceAsStream(SITE)) {
            if (in == null) throw new IOException(SITE + " is not on the test class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
