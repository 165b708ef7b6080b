package chatroom.web;

import static chatroom.web.BehindNginxTest.replaceOnce;
import static chatroom.web.PublicUrlTest.upgrade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import chatroom.Nginx;
import chatroom.TestServer;
import chatroom.ThrowawayCertificate;
import chatroom.web.HttpProtocolTest.RawHttp;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server behind a real nginx that runs the {@code nginx} block of docs/CLUSTER.md, read from the
 * doc itself with only its addresses, certificate and name changed: every upstream node is one local
 * server (what is tested is what nginx passes on, the same for any number of nodes). The single-server
 * site of docs/DEPLOY.md has its own, fuller test ({@link BehindNginxTest}); this one checks that the
 * cluster's block is as safe: the forwarding headers a visitor writes are replaced, and the socket cap
 * counts the visitor nginx names. The visitor here is 127.0.0.1, nginx's own address, so an address it
 * writes itself would be believed: that a made-up one changes nothing is shown from a LAN address by
 * {@link BehindNginxTest}.
 */
class BehindClusterNginxTest {

    private static final String DOC = "docs/CLUSTER.md";
    private static final Pattern BLOCK = Pattern.compile("```nginx\n(.*?)```", Pattern.DOTALL);
    private static final String PUBLIC_NAME = "chat.test";
    private static final int MAX_SOCKETS_PER_ADDRESS = 2;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static TestServer server;
    private static Nginx nginx;
    private static ThrowawayCertificate certificate;
    private static int httpsPort;

    @BeforeAll
    static void start() throws Exception {
        Optional<Path> binary = Nginx.binary();
        if (binary.isEmpty()) {
            return; // each test then says why it is skipped
        }
        httpsPort = Nginx.freePort();
        server = TestServer.start("--trusted-proxies", "127.0.0.1", "--public-url", "https://" + PUBLIC_NAME + ":" + httpsPort,
                "--rate", "0", "--max-sockets-per-ip", Integer.toString(MAX_SOCKETS_PER_ADDRESS));
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
    void a_visitors_own_x_forwarded_host_is_replaced_so_another_host_stays_refused() throws Exception {
        // a page on a rebound name can send any header to "its" host: believed, this one would pass the host check
        try (RawHttp raw = throughNginx()) {
            raw.send("GET / HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: " + raw.host + "\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(421);
        }
        // and one naming another host, sent to the public one, is replaced too
        try (RawHttp raw = throughNginx()) {
            raw.send("GET / HTTP/1.1\r\nHost: " + raw.host + "\r\nX-Forwarded-Host: evil.example\r\n"
                    + "Forwarded: for=198.51.100.7;host=evil.example\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(200);
        }
    }

    @Test
    void a_loopback_host_a_visitor_sends_is_refused() throws Exception {
        for (String loopback : List.of("localhost", "127.0.0.1", "[::1]")) {
            try (RawHttp raw = throughNginx()) {
                raw.send("GET / HTTP/1.1\r\nHost: " + loopback + "\r\n\r\n");
                assertThat(raw.read().status()).as("Host: " + loopback).isEqualTo(421);
            }
        }
    }

    @Test
    void sockets_upgrade_through_it_and_count_under_the_visitor_nginx_names() throws Exception {
        List<RawHttp> open = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_SOCKETS_PER_ADDRESS; i++) {
                RawHttp raw = throughNginx();
                open.add(raw);
                raw.send(upgrade("/r/cluster/ws", raw.host, "https://" + raw.host));
                assertThat(raw.readHead().status()).isEqualTo(101);
            }
            // the visitor is this machine (127.0.0.1), counted as nginx names it, with a cap, not as a
            // loopback peer, which would have none
            try (RawHttp raw = throughNginx()) {
                raw.send(upgrade("/r/cluster/ws", raw.host, "https://" + raw.host));
                RawHttp.Reply head = raw.readHead();
                assertThat(head.status()).isEqualTo(429);
                assertThat(raw.readBody(head).text()).contains("127.0.0.1 has " + MAX_SOCKETS_PER_ADDRESS + " connections open");
            }
        } finally {
            for (RawHttp raw : open) {
                raw.close();
            }
        }
    }

    /** The doc's block, listening on this machine, with every node the local server and a throwaway certificate. */
    private static String site() throws Exception {
        Matcher block = BLOCK.matcher(Files.readString(Path.of(DOC)));
        if (!block.find()) {
            throw new AssertionError(DOC + " should have an ```nginx block");
        }
        String site = block.group(1);
        site = replaceOnce(DOC, site, "listen 443 ssl;", "listen 127.0.0.1:" + httpsPort + " ssl;");
        Matcher nodes = Pattern.compile("server 10\\.0\\.0\\.\\d+:8080").matcher(site);
        if (!nodes.find()) {
            throw new AssertionError(DOC + "'s upstream should list nodes as 'server 10.0.0.N:8080'; the test points them here");
        }
        site = nodes.replaceAll("server 127.0.0.1:" + server.port());
        site = replaceOnce(DOC, site, "/etc/ssl/chat.example.org.pem", certificate.certificatePem.toString());
        site = replaceOnce(DOC, site, "/etc/ssl/chat.example.org.key", certificate.privateKeyPem.toString());
        return replaceOnce(DOC, site, "server_name chat.example.org;", "server_name " + PUBLIC_NAME + ";");
    }

    private static RawHttp throughNginx() throws Exception {
        return BehindNginxTest.overTls(certificate, PUBLIC_NAME, LOOPBACK, LOOPBACK, httpsPort);
    }
}
