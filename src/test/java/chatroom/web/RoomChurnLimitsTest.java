package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.TestServer;
import chatroom.WsClient;
import chatroom.metrics.Scrape;
import chatroom.web.HttpProtocolTest.RawHttp;
import chatroom.web.HttpProtocolTest.RawHttp.Reply;
import org.junit.jupiter.api.Test;

/**
 * What a client that enters room after room may make a node do: the node's cap of rooms (a new room beyond
 * it is closed with 1013, saying the server is busy), and the per-address rates of upgrades and of new
 * rooms (429 with Retry-After). This machine (loopback) has no address rates.
 */
class RoomChurnLimitsTest {

    /** The test's sockets come through a "proxy" on 127.0.0.1 for these remote addresses. */
    private static final String[] FROM_ONE_ADDRESS = {"X-Forwarded-For", "203.0.113.7"};
    private static final String FROM_ONE_ADDRESS_LINE = "X-Forwarded-For: 203.0.113.7\r\n";
    private static final String[] FROM_ANOTHER_ADDRESS = {"X-Forwarded-For", "198.51.100.9"};

    @Test
    void a_new_room_beyond_the_nodes_cap_is_closed_with_1013_saying_the_server_is_busy_while_hosted_rooms_still_admit()
            throws Exception {
        try (TestServer server = TestServer.start("--max-rooms", "1", "--metrics-port", "0");
                WsClient ann = WsClient.connect(server.ws("/r/open/ws"))) {
            ann.awaitFrame(f -> f.contains("id=\"presence\""));
            Scrape before = Scrape.of(server.metricsPort());

            // when a socket asks for a room this node does not host
            try (WsClient bob = WsClient.connect(server.ws("/r/another/ws"))) {
                // then it is told to try again later, and why
                assertThat(bob.awaitClose()).isEqualTo(1013);
                assertThat(bob.closeReason()).startsWith("server busy");
                assertThat(bob.frames()).isEmpty();
            }
            // while the room already open takes newcomers, who chat as ever
            try (WsClient cat = WsClient.connect(server.ws("/r/open/ws"))) {
                cat.awaitFrame(f -> f.contains("people-count\" class=\"count\" hx-swap-oob=\"true\">2"));
                cat.say("still room for us");
                assertThat(ann.awaitMessages(1)).containsExactly("still room for us");
            }
            Scrape after = Scrape.of(server.metricsPort());
            assertThat(after.since(before, "chatroom_websocket_upgrades_refused_total{reason=\"rooms_full\"}")).isEqualTo(1);
            assertThat(after.since(before, "chatroom_websocket_closes_total{by=\"server\",code=\"1013\"}")).isEqualTo(1);
            assertThat(status(server)).containsEntry("awakeRooms", 1);
        }
    }

    @Test
    void a_room_that_emptied_makes_way_for_a_new_one_under_the_cap() throws Exception {
        try (TestServer server = TestServer.start("--max-rooms", "1")) {
            try (WsClient ann = WsClient.connect(server.ws("/r/first/ws"))) {
                ann.awaitFrame(f -> f.contains("id=\"presence\""));
            }
            // the first room goes about a second after ann left, and the second one may come
            WsClient bob = Await.until(() -> {
                WsClient attempt = WsClient.connect(server.ws("/r/second/ws"));
                Await.until(() -> attempt.closed() || !attempt.frames().isEmpty(), "an answer");
                if (attempt.closed()) {
                    attempt.close();
                    return null; // busy: the first room has not gone yet
                }
                return attempt;
            }, "the second room to be admitted");
            try (bob) {
                bob.say("in at last");
                assertThat(bob.awaitMessages(1)).containsExactly("in at last");
            }
        }
    }

    @Test
    void upgrades_from_one_address_beyond_its_rate_get_429_with_retry_after_while_other_addresses_connect()
            throws Exception {
        try (TestServer server = TestServer.start("--trusted-proxies", "127.0.0.1", "--upgrades-per-ip", "0.1",
                "--upgrade-burst-per-ip", "2", "--metrics-port", "0")) {
            Scrape before = Scrape.of(server.metricsPort());
            // given an address that spent its burst
            for (int i = 0; i < 2; i++) {
                WsClient.connect(server.ws("/r/lobby/ws"), FROM_ONE_ADDRESS).close();
            }
            // when it asks once more
            Reply refused = upgrade(server, "/r/lobby/ws");
            // then
            assertThat(refused.status()).isEqualTo(429);
            assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 10);
            assertThat(refused.text()).contains("203.0.113.7 has opened WebSockets too often", "try again in");
            // and another address is not held back by it
            try (WsClient other = WsClient.connect(server.ws("/r/lobby/ws"), FROM_ANOTHER_ADDRESS)) {
                other.awaitFrame(f -> f.contains("id=\"presence\""));
            }
            Scrape after = Scrape.of(server.metricsPort());
            assertThat(after.since(before, "chatroom_websocket_upgrades_refused_total{reason=\"upgrade_rate\"}"))
                    .isEqualTo(1);
        }
    }

    @Test
    void new_rooms_from_one_address_beyond_their_rate_get_429_while_it_may_still_join_rooms_with_people_in_them()
            throws Exception {
        try (TestServer server = TestServer.start("--trusted-proxies", "127.0.0.1", "--new-rooms-per-ip", "0.1",
                "--new-room-burst-per-ip", "1", "--metrics-port", "0");
                WsClient ann = WsClient.connect(server.ws("/r/first/ws"), FROM_ONE_ADDRESS)) {
            ann.awaitFrame(f -> f.contains("id=\"presence\""));
            Scrape before = Scrape.of(server.metricsPort());

            Reply refused = upgrade(server, "/r/second/ws");

            assertThat(refused.status()).isEqualTo(429);
            assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 10);
            assertThat(refused.text()).contains("203.0.113.7 has opened rooms nobody was in too often");
            // the room it is in already is not new: it joins
            try (WsClient again = WsClient.connect(server.ws("/r/first/ws"), FROM_ONE_ADDRESS)) {
                again.awaitFrame(f -> f.contains("people-count\" class=\"count\" hx-swap-oob=\"true\">"));
            }
            Scrape after = Scrape.of(server.metricsPort());
            assertThat(after.since(before, "chatroom_websocket_upgrades_refused_total{reason=\"new_room_rate\"}"))
                    .isEqualTo(1);
            assertThat(status(server)).containsEntry("awakeRooms", 1);
        }
    }

    @Test
    void this_machine_has_no_upgrade_or_new_room_rate() throws Exception {
        try (TestServer server = TestServer.start("--upgrades-per-ip", "0.1", "--upgrade-burst-per-ip", "1",
                "--new-rooms-per-ip", "0.1", "--new-room-burst-per-ip", "1")) {
            for (int i = 0; i < 3; i++) {
                try (WsClient local = WsClient.connect(server.ws("/r/local-" + i + "/ws"))) {
                    local.awaitFrame(f -> f.contains("id=\"presence\""));
                }
            }
        }
    }

    /** An upgrade on a raw connection from {@link #FROM_ONE_ADDRESS}, to read a refusal's headers and body. */
    private static Reply upgrade(TestServer server, String path) throws Exception {
        try (RawHttp raw = RawHttp.connect(server)) {
            raw.send("GET " + path + " HTTP/1.1\r\nHost: " + raw.host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + FROM_ONE_ADDRESS_LINE
                    + "\r\n");
            return raw.read();
        }
    }

    private static java.util.Map<String, Integer> status(TestServer server) {
        try {
            return server.status();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
