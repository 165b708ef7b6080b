package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import chatroom.TestServer;
import chatroom.web.HttpProtocolTest.RawHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The per-address socket cap ({@code --max-sockets-per-ip}, 50 by default) counts a client as {@link
 * ClientAddress#limitKey()} does: a whole IPv6 /64 is one address, whether its sockets come straight
 * from it or through a trusted proxy, and every client a proxy cannot name is one shared client, never
 * exempt. The sockets are raw upgrades, kept open while they hold their slots.
 */
class PerAddressLimitsTest {

    private static final int MAX_PER_ADDRESS = 50;
    private static final InetAddress LOOPBACK = ip("127.0.0.1");

    @Test
    void fifty_sockets_from_fifty_addresses_of_one_ipv6_64_fill_its_share_and_another_64_is_not_affected() throws Exception {
        try (TestServer server = TestServer.start("--trusted-proxies", "127.0.0.1");
                Upgrades sockets = new Upgrades(server, LOOPBACK)) {
            // given fifty sockets, each from an address of its own in 2001:db8:1:2::/64, as the proxy names them
            for (int i = 1; i <= MAX_PER_ADDRESS; i++) {
                assertThat(sockets.open(null, "X-Forwarded-For: 2001:db8:1:2::" + Integer.toHexString(i))).isEqualTo(101);
            }
            // when one more comes from yet another address of that /64, then it is refused as from one address
            assertThat(sockets.open(null, "X-Forwarded-For: 2001:db8:1:2:abcd:ef01:2345:6789")).isEqualTo(429);
            assertThat(sockets.lastRefusal).contains("2001:db8:1:2::/64 has 50 connections open, the most one address may have");
            // while the next /64 still gets in
            assertThat(sockets.open(null, "X-Forwarded-For: 2001:db8:1:3::1")).isEqualTo(101);
        }
    }

    @Test
    void fifty_sockets_straight_from_five_ipv6_addresses_of_one_64_fill_its_share() throws Exception {
        List<String> sameNetwork = List.of("2001:db8:64:1::a", "2001:db8:64:1::b", "2001:db8:64:1::c",
                "2001:db8:64:1:1::d", "2001:db8:64:1:ffff:ffff:ffff:fffe");
        String otherNetwork = "2001:db8:64:2::a";
        List<String> all = new ArrayList<>(sameNetwork);
        all.add(otherNetwork);
        try (LoopbackAddresses added = LoopbackAddresses.add(all)) {
            assumeTrue(added != null, "cannot add IPv6 addresses to lo here (needs root and ip(8)); the test through a "
                    + "proxy above covers the same limit");
            try (TestServer server = TestServer.start("--host", "::1");
                    Upgrades sockets = new Upgrades(server, ip("::1"))) {
                // given fifty sockets from five addresses of one /64, none holding more than ten
                for (int i = 0; i < MAX_PER_ADDRESS; i++) {
                    assertThat(sockets.open(ip(sameNetwork.get(i % sameNetwork.size())))).as("socket " + (i + 1)).isEqualTo(101);
                }
                // when the 51st comes from any of them, then
                assertThat(sockets.open(ip(sameNetwork.getLast()))).isEqualTo(429);
                assertThat(sockets.lastRefusal).contains("2001:db8:64:1::/64 has 50 connections open");
                // while another /64 gets in
                assertThat(sockets.open(ip(otherNetwork))).isEqualTo(101);
            }
        }
    }

    @Test
    void eighty_sockets_whose_proxy_says_unknown_share_one_addresss_cap() throws Exception {
        try (TestServer server = TestServer.start("--trusted-proxies", "127.0.0.1");
                Upgrades sockets = new Upgrades(server, LOOPBACK)) {
            // when eighty sockets come through the trusted proxy on this machine, each as "unknown"
            int opened = 0;
            int refused = 0;
            for (int i = 0; i < 80; i++) {
                int status = sockets.open(null, "X-Forwarded-For: unknown");
                opened += status == 101 ? 1 : 0;
                refused += status == 429 ? 1 : 0;
            }
            // then they got one address's share, not the proxy's exemption
            assertThat(opened).isEqualTo(MAX_PER_ADDRESS);
            assertThat(refused).isEqualTo(80 - MAX_PER_ADDRESS);
            assertThat(sockets.lastRefusal).contains("Visitors whose address the proxy did not pass on have 50 connections open");
            // and every other way of not naming the client is the same one client
            assertThat(sockets.open(null, "Forwarded: for=_hidden")).as("an obfuscated name").isEqualTo(429);
            assertThat(sockets.open(null, "X-Real-IP: 198.51.100.7")).as("only X-Real-IP, which is not read").isEqualTo(429);
            assertThat(sockets.open(null)).as("no forwarding header at all, as from a TCP proxy").isEqualTo(429);
            // while a visitor the proxy names gets in
            assertThat(sockets.open(null, "X-Forwarded-For: 198.51.100.7")).isEqualTo(101);
        }
    }

    @Test
    void this_machine_connecting_directly_is_still_capped_only_overall() throws Exception {
        try (TestServer server = TestServer.start("--max-sockets-per-ip", "2", "--max-connections", "4");
                Upgrades sockets = new Upgrades(server, LOOPBACK)) {
            for (int i = 0; i < 4; i++) {
                assertThat(sockets.open(null)).isEqualTo(101);
            }
            assertThat(sockets.open(null)).isEqualTo(503);
        }
    }

    // ---- helpers

    /** Raw WebSocket upgrades to one server; the accepted ones stay open until {@link #close}. */
    private static final class Upgrades implements AutoCloseable {
        private final TestServer server;
        private final InetAddress serverAddress;
        private final List<RawHttp> open = new ArrayList<>();
        /** The body of the last refused upgrade. */
        String lastRefusal;

        Upgrades(TestServer server, InetAddress serverAddress) {
            this.server = server;
            this.serverAddress = serverAddress;
        }

        /** Upgrades from {@code from} (null: any local address) with {@code headers}; answers the status. */
        int open(InetAddress from, String... headers) throws IOException {
            Socket tcp = new Socket();
            if (from != null) {
                tcp.bind(new InetSocketAddress(from, 0));
            }
            tcp.connect(new InetSocketAddress(serverAddress, server.port()), 10_000);
            String host = (serverAddress.getAddress().length == 16 ? "[::1]" : "127.0.0.1") + ":" + server.port();
            RawHttp raw = RawHttp.over(tcp, host);
            raw.send(PublicUrlTest.upgrade("/r/capped/ws", host, "http://" + host, headers));
            RawHttp.Reply head = raw.readHead();
            if (head.status() == 101) {
                open.add(raw);
            } else {
                lastRefusal = raw.readBody(head).text();
                raw.close();
            }
            return head.status();
        }

        @Override
        public void close() throws IOException {
            for (RawHttp raw : open) {
                raw.close();
            }
        }
    }

    /**
     * IPv6 addresses put on the loopback interface for one test and taken off after ({@code ip -6 addr}),
     * so that sockets can really come from several addresses of one /64; null from {@link #add} where that
     * is not allowed (not root, no ip(8)). Addresses of 2001:db8::/32, the documentation prefix, which
     * nothing routes.
     */
    private static final class LoopbackAddresses implements AutoCloseable {
        private final List<String> added = new ArrayList<>();

        static LoopbackAddresses add(List<String> addresses) {
            LoopbackAddresses lo = new LoopbackAddresses();
            for (String address : addresses) {
                String answer = run("add", address);
                if (answer == null || answer.contains("File exists")) {
                    lo.added.add(address);
                } else {
                    lo.close();
                    return null;
                }
            }
            return lo;
        }

        @Override
        public void close() {
            for (String address : added) {
                run("del", address);
            }
        }

        /** Runs {@code ip -6 addr VERB ADDRESS/128 dev lo}; null when it worked, else what it said. */
        private static String run(String verb, String address) {
            List<String> command = new ArrayList<>(List.of("ip", "-6", "addr", verb, address + "/128", "dev", "lo"));
            if (verb.equals("add")) {
                command.add("nodad"); // usable at once, without duplicate-address detection
            }
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return "ip(8) did not finish";
                }
                return process.exitValue() == 0 ? null : output.isBlank() ? "exit " + process.exitValue() : output;
            } catch (IOException e) {
                return e.toString(); // no ip(8)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return e.toString();
            }
        }
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
