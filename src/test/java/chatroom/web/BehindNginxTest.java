package chatroom.web;

import static chatroom.web.PublicUrlTest.upgrade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import chatroom.Nginx;
import chatroom.TestServer;
import chatroom.ThrowawayCertificate;
import chatroom.browser.Browser;
import chatroom.web.HttpProtocolTest.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Keys;

/**
 * The server behind a real nginx that runs the site file docs/DEPLOY.md shows
 * ({@code src/test/resources/deploy/nginx-chatroom.conf}, with only its ports, certificate and name
 * changed): TLS with a throwaway certificate, the WebSocket upgrade, X-Forwarded-*. The server trusts
 * 127.0.0.1, the address nginx reaches it from. The public URL is {@code https://chat.test:PORT}, a name
 * Chromium is told lives at 127.0.0.1; not {@code localhost}, which the host check lets through from this
 * machine, so a proxy that lost the port on the way could go unnoticed. Clients that go around nginx
 * connect from 127.0.0.2, which is this machine but not the trusted proxy.
 */
class BehindNginxTest {

    static final String SITE = "/deploy/nginx-chatroom.conf";
    private static final String PUBLIC_NAME = "chat.test";
    private static final int MAX_SOCKETS_PER_ADDRESS = 2;
    private static final InetAddress LOOPBACK = address("127.0.0.1");
    private static final InetAddress UNTRUSTED = address("127.0.0.2");

    private static TestServer server;
    private static Nginx nginx;
    private static ThrowawayCertificate certificate;
    private static int httpsPort;
    private static int httpPort;
    /** An address of this machine other than loopback, or null if it has none. */
    private static InetAddress lanAddress;

    @BeforeAll
    static void start() throws Exception {
        Optional<Path> binary = Nginx.binary();
        if (binary.isEmpty()) {
            return; // each test then says why it is skipped
        }
        httpsPort = Nginx.freePort();
        httpPort = Nginx.freePort();
        lanAddress = lanAddress();
        server = TestServer.start("--trusted-proxies", "127.0.0.1", "--public-url", publicUrl(""), "--rate", "0",
                "--max-sockets-per-ip", Integer.toString(MAX_SOCKETS_PER_ADDRESS));
        certificate = ThrowawayCertificate.make(server.dir, PUBLIC_NAME);
        nginx = Nginx.start(binary.get(), site(), "127.0.0.1", httpsPort);
    }

    @BeforeEach
    void needsNginx() {
        assumeTrue(nginx != null, Nginx.MISSING);
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void two_visitors_chat_through_nginx_over_tls_and_the_identity_cookie_is_secure() throws Exception {
        try (Browser ann = browser();
                Browser bob = browser()) {
            ann.openRoom(publicUrl("/r/proxied"));
            bob.openRoom(publicUrl("/r/proxied"));

            ann.driver.findElement(By.id("message")).sendKeys("hello through nginx", Keys.ENTER);

            for (Browser b : List.of(ann, bob)) {
                b.await(d -> texts(b).contains("hello through nginx"));
            }
            for (Browser b : List.of(ann, bob)) {
                Cookie identity = b.driver.manage().getCookieNamed(Identities.COOKIE);
                assertThat(identity).as("the identity cookie").isNotNull();
                assertThat(identity.isSecure()).as("Secure").isTrue();
                assertThat(identity.isHttpOnly()).as("HttpOnly").isTrue();
            }
        }
    }

    @Test
    void through_nginx_a_socket_is_accepted_only_from_the_public_urls_pages() throws Exception {
        try (RawHttp raw = throughNginx(LOOPBACK, LOOPBACK)) {
            raw.send(upgrade("/r/origins/ws", raw.host, publicUrl("")));
            assertThat(raw.readHead().status()).isEqualTo(101);
        }
        try (RawHttp raw = throughNginx(LOOPBACK, LOOPBACK)) {
            raw.send(upgrade("/r/origins/ws", raw.host, "https://evil.example"));
            assertThat(raw.read().status()).as("another site's page").isEqualTo(403);
        }
        try (RawHttp raw = throughNginx(LOOPBACK, LOOPBACK)) {
            raw.send(upgrade("/r/origins/ws", raw.host, "http://" + PUBLIC_NAME + ":" + httpsPort));
            assertThat(raw.read().status()).as("the http page of the https site").isEqualTo(403);
        }
    }

    @Test
    void through_nginx_a_request_for_another_host_is_refused_and_one_for_the_public_host_served() throws Exception {
        try (RawHttp raw = throughNginx(LOOPBACK, LOOPBACK)) {
            raw.send("GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n");
            RawHttp.Reply reply = raw.read();
            assertThat(reply.status()).isEqualTo(421);
            assertThat(reply.text()).contains("This server answers for " + PUBLIC_NAME + ":" + httpsPort + ", not evil.example.");
        }
        try (RawHttp raw = throughNginx(LOOPBACK, LOOPBACK)) {
            raw.send("GET / HTTP/1.1\r\nHost: " + raw.host + "\r\n\r\n");
            assertThat(raw.read().status()).as("the public host with its port, as nginx passes it on").isEqualTo(200);
        }
    }

    @Test
    void the_status_counts_are_for_this_machine_and_not_shown_through_nginx() throws Exception {
        try (RawHttp raw = throughNginx(LOOPBACK, LOOPBACK)) {
            raw.send("GET /status HTTP/1.1\r\nHost: " + raw.host + "\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(403);
        }
        // 127.0.0.1 is nginx's address, so never this machine: an operator asks from another loopback address
        try (RawHttp raw = straightToServer(UNTRUSTED)) {
            raw.send("GET /status HTTP/1.1\r\nHost: " + raw.host + "\r\n\r\n");
            assertThat(raw.read().status()).as("asked on the machine itself").isEqualTo(200);
        }
    }

    @Test
    void a_loopback_host_a_visitor_sends_through_nginx_is_refused() throws Exception {
        for (String loopback : List.of("localhost", "127.0.0.1:" + httpsPort, "[::1]")) {
            try (RawHttp raw = throughNginx(LOOPBACK, LOOPBACK)) {
                raw.send("GET / HTTP/1.1\r\nHost: " + loopback + "\r\n\r\n");
                assertThat(raw.read().status()).as("Host: " + loopback).isEqualTo(421);
            }
        }
    }

    @Test
    void forwarding_headers_a_visitor_writes_are_replaced_by_nginx_not_believed() throws Exception {
        // each names another host: believed, it would be refused with 421
        for (String forged : List.of("Forwarded: for=198.51.100.7;proto=https;host=evil.example", "X-Forwarded-Host: evil.example")) {
            try (RawHttp raw = throughNginx(LOOPBACK, LOOPBACK)) {
                raw.send("GET / HTTP/1.1\r\nHost: " + raw.host + "\r\n" + forged + "\r\n\r\n");
                assertThat(raw.read().status()).as(forged).isEqualTo(200);
            }
        }
    }

    @Test
    void around_nginx_the_forwarding_headers_are_ignored_and_the_origin_check_is_the_same() throws Exception {
        // 127.0.0.2 is not the trusted proxy: the Host header counts, not what it says it forwards
        try (RawHttp raw = straightToServer(UNTRUSTED)) {
            raw.send("GET / HTTP/1.1\r\nHost: " + raw.host + "\r\nX-Forwarded-Host: evil.example\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(200);
        }
        try (RawHttp raw = straightToServer(UNTRUSTED)) {
            raw.send("GET / HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: " + PUBLIC_NAME + ":" + httpsPort + "\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(421);
        }
        // The Origin says which page asked, not which way the request came. A browser on the public pages
        // cannot come this way (an https page may not open a plain ws:// socket), and any other client can
        // write whatever Origin it likes, so refusing this one would protect nothing: keeping clients from
        // going around the proxy is the job of --host 127.0.0.1 or a firewall (docs/DEPLOY.md).
        try (RawHttp raw = straightToServer(UNTRUSTED)) {
            raw.send(upgrade("/r/around/ws", raw.host, publicUrl("")));
            assertThat(raw.readHead().status()).isEqualTo(101);
        }
        try (RawHttp raw = straightToServer(UNTRUSTED)) {
            raw.send(upgrade("/r/around/ws", raw.host, "https://evil.example"));
            assertThat(raw.read().status()).isEqualTo(403);
        }
    }

    @Test
    void the_per_address_socket_cap_counts_the_visitor_that_nginx_names() throws Exception {
        assumeTrue(lanAddress != null, "this machine has no address besides loopback, whose clients are not capped");
        String visitor = lanAddress.getHostAddress();
        List<RawHttp> open = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_SOCKETS_PER_ADDRESS; i++) {
                RawHttp raw = throughNginx(lanAddress, lanAddress);
                open.add(raw);
                raw.send(upgrade("/r/capped/ws", raw.host, publicUrl("")));
                assertThat(raw.readHead().status()).isEqualTo(101);
            }
            // a 429 naming the visitor's address shows that address counts, not nginx's own,
            // and one the visitor made up, left of the one nginx appends, changes nothing
            for (String[] forged : List.of(new String[0], new String[] {"X-Forwarded-For: 203.0.113.9"},
                    new String[] {"Forwarded: for=203.0.113.9"})) {
                try (RawHttp raw = throughNginx(lanAddress, lanAddress)) {
                    raw.send(upgrade("/r/capped/ws", raw.host, publicUrl(""), forged));
                    RawHttp.Reply head = raw.readHead();
                    assertThat(head.status()).as(String.join("", forged)).isEqualTo(429);
                    assertThat(raw.readBody(head).text()).contains(visitor + " has " + MAX_SOCKETS_PER_ADDRESS + " connections open");
                }
            }
        } finally {
            for (RawHttp raw : open) {
                raw.close();
            }
        }
    }

    @Test
    void plain_http_is_redirected_to_https() throws Exception {
        try (RawHttp raw = RawHttp.over(new Socket(LOOPBACK, httpPort), PUBLIC_NAME)) {
            raw.send("GET /r/lobby?from=link HTTP/1.1\r\nHost: " + PUBLIC_NAME + "\r\n\r\n");
            RawHttp.Reply reply = raw.read();
            assertThat(reply.status()).isEqualTo(301);
            assertThat(reply.header("Location")).isEqualTo("https://" + PUBLIC_NAME + "/r/lobby?from=link");
        }
    }

    // ---- the site file, as DEPLOY.md shows it, with this machine's ports, certificate and name

    static String documentedSite() throws IOException {
        try (InputStream in = BehindNginxTest.class.getResourceAsStream(SITE)) {
            if (in == null) {
                throw new IOException(SITE + " is not on the test class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String site() throws IOException {
        String site = documentedSite();
        String https = "listen 127.0.0.1:" + httpsPort + " ssl;";
        if (lanAddress != null) {
            https += " listen " + lanAddress.getHostAddress() + ":" + httpsPort + " ssl;";
        }
        site = replaceOnce(site, "listen 443 ssl;", https);
        site = replaceOnce(site, "listen 80;", "listen 127.0.0.1:" + httpPort + ";");
        site = replaceOnce(site, "    listen [::]:443 ssl;\n", ""); // this machine may have no IPv6
        site = replaceOnce(site, "    listen [::]:80;\n", "");
        site = replaceOnce(site, "server 127.0.0.1:8080;", "server 127.0.0.1:" + server.port() + ";");
        site = replaceOnce(site, "/etc/letsencrypt/live/chat.example.org/fullchain.pem", certificate.certificatePem.toString());
        site = replaceOnce(site, "/etc/letsencrypt/live/chat.example.org/privkey.pem", certificate.privateKeyPem.toString());
        return site.replace("server_name chat.example.org;", "server_name " + PUBLIC_NAME + ";");
    }

    /** Replaces the one occurrence of {@code target}; fails if the site file no longer has exactly one. */
    private static String replaceOnce(String text, String target, String replacement) {
        return replaceOnce(SITE, text, target, replacement);
    }

    /** Replaces the one occurrence of {@code target} in {@code text}, read from {@code source}; fails unless there is one. */
    static String replaceOnce(String source, String text, String target, String replacement) {
        int at = text.indexOf(target);
        if (at < 0 || text.indexOf(target, at + 1) >= 0) {
            throw new AssertionError(source + " should contain '" + target.strip() + "' once; the test adapts that line to this machine");
        }
        return text.substring(0, at) + replacement + text.substring(at + target.length());
    }

    // ---- clients

    private static String publicUrl(String path) {
        return "https://" + PUBLIC_NAME + ":" + httpsPort + path;
    }

    private static Browser browser() throws GeneralSecurityException {
        return new Browser(List.of(
                "--host-resolver-rules=MAP " + PUBLIC_NAME + " 127.0.0.1",
                "--ignore-certificate-errors-spki-list=" + certificate.spkiSha256()));
    }

    private static List<String> texts(Browser b) {
        return b.js("return Array.from(document.querySelectorAll('#messages .msg .text'), e => e.textContent)");
    }

    /** TLS to nginx at {@code to}, from {@code from}, checking the certificate is for the public name. */
    private static RawHttp throughNginx(InetAddress from, InetAddress to) throws IOException, GeneralSecurityException {
        return overTls(certificate, PUBLIC_NAME, from, to, httpsPort);
    }

    /** TLS from {@code from} to {@code to}:{@code port}, checking the certificate is {@code name}'s; Host is that name and port. */
    static RawHttp overTls(ThrowawayCertificate certificate, String name, InetAddress from, InetAddress to, int port)
            throws IOException, GeneralSecurityException {
        Socket tcp = new Socket();
        tcp.bind(new InetSocketAddress(from, 0));
        tcp.connect(new InetSocketAddress(to, port), 10_000);
        SSLSocket tls = (SSLSocket) certificate.clientContext().getSocketFactory().createSocket(tcp, name, port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(name)));
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        return RawHttp.over(tls, name + ":" + port);
    }

    /** Plain HTTP to the server's own port from {@code from}, the way nginx reaches it but from elsewhere. */
    private static RawHttp straightToServer(InetAddress from) throws IOException {
        Socket tcp = new Socket();
        tcp.bind(new InetSocketAddress(from, 0));
        tcp.connect(new InetSocketAddress(LOOPBACK, server.port()), 10_000);
        return RawHttp.over(tcp, "127.0.0.1:" + server.port());
    }

    private static InetAddress lanAddress() throws SocketException {
        return NetworkInterface.networkInterfaces()
                .filter(BehindNginxTest::isUpAndNotLoopback)
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst()
                .orElse(null);
    }

    private static boolean isUpAndNotLoopback(NetworkInterface i) {
        try {
            return i.isUp() && !i.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
