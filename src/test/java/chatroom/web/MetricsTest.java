package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import chatroom.Await;
import chatroom.TestServer;
import chatroom.WsClient;
import chatroom.metrics.Scrape;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The management port as an operator's Prometheus sees it: chat over real WebSockets, scrape {@code
 * /metrics} over HTTP before and after, and check that the named counters moved by exactly what
 * happened. Counters are compared between scrapes, since servers that ran earlier in this JVM counted
 * into the same process-wide meters.
 */
class MetricsTest {

    @Test
    void the_counters_move_by_what_the_chat_did() throws Exception {
        // a rate that never refills: a burst of 5 frames, then every one is refused
        try (TestServer server = TestServer.start("--metrics-port", "0", "--rate", "0.001", "--burst", "5")) {
            Scrape before = Scrape.of(server.metricsPort());

            // given two members in a room
            WsClient ann = WsClient.connect(server.ws("/r/counted/ws"));
            WsClient bob = WsClient.connect(server.ws("/r/counted/ws"));
            Await.until(() -> connections(server) == 2, "both members to join");
            // when ann sends a frame that is not JSON, then five messages (the fifth over the rate)
            ann.send("not json");
            ann.awaitFrame(f -> f.contains("not valid JSON"));
            for (int i = 1; i <= 5; i++) {
                ann.say("m" + i);
            }
            bob.awaitMessages(4);
            ann.awaitFrame(f -> f.contains("too fast"));
            // and a frame over --max-frame-bytes (16384) in another room, closed with 1009
            try (RawWebSocket big = RawWebSocket.open(server, "/r/elsewhere/ws", 0)) {
                big.sendText("x".repeat(20_000).getBytes());
                assertThat(big.awaitCloseCode()).isEqualTo(1009);
            }
            // and an upgrade from another site's page, refused
            assertThatThrownBy(() -> WsClient.connect(server.ws("/r/counted/ws"), "Origin", "http://evil.example"))
                    .cause()
                    .isInstanceOfSatisfying(WebSocketHandshakeException.class,
                            refused -> assertThat(refused.getResponse().statusCode()).isEqualTo(403));

            // then
            Await.until(() -> connections(server) == 2, "the oversized sender to be gone");
            Scrape after = Scrape.of(server.metricsPort());
            assertThat(after.since(before, "chatroom_websocket_upgrades_total")).isEqualTo(3);
            assertThat(after.since(before, "chatroom_websocket_upgrades_refused_total{reason=\"origin\"}")).isEqualTo(1);
            assertThat(after.since(before, "chatroom_messages_stored_total")).isEqualTo(4);
            assertThat(after.since(before, "chatroom_store_batch_size_messages_sum")).isEqualTo(4);
            assertThat(after.since(before, "chatroom_store_commit_seconds_count"))
                    .isEqualTo(after.since(before, "chatroom_store_batch_size_messages_count"))
                    .isBetween(1.0, 4.0);
            assertThat(after.since(before, "chatroom_messages_delivered_total")).as("4 messages to 2 members").isEqualTo(8);
            assertThat(after.since(before, "chatroom_websocket_frames_refused_total{reason=\"rate\"}")).isEqualTo(1);
            assertThat(after.since(before, "chatroom_websocket_frames_refused_total{reason=\"malformed\"}")).isEqualTo(1);
            assertThat(after.since(before, "chatroom_websocket_frames_refused_total{reason=\"size\"}")).isEqualTo(1);
            assertThat(after.since(before, "chatroom_websocket_closes_total{by=\"server\",code=\"1009\"}")).isEqualTo(1);
            assertThat(after.value("chatroom_websockets_open")).isEqualTo(2);
            assertThat(after.value("chatroom_rooms{state=\"awake\"}")).isGreaterThanOrEqualTo(1);
            assertThat(after.has("chatroom_eventloop_pending_tasks{loop=\"0\"}")).as("event-loop queue gauges").isTrue();
            // the JVM's own meters are there (which heap pools depends on the collector; a young pool may read 0 just after a collection)
            assertThat(after.value("jvm_threads_live_threads")).isPositive();
            assertThat(after.value("process_uptime_seconds")).isPositive();
            ann.close();
            bob.close();
        }
    }

    @Test
    void a_member_too_slow_to_read_is_counted_as_a_slow_consumer_closed_with_1013() throws Exception {
        try (TestServer server = TestServer.start("--metrics-port", "0", "--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/slow/ws"));
                RawWebSocket slow = RawWebSocket.open(server, "/r/slow/ws", 4096)) {
            Await.until(() -> connections(server) == 2, "both members to join");
            Scrape before = Scrape.of(server.metricsPort());
            // when ann talks until the member that never reads is dropped
            String text = "z".repeat(1500);
            int sent = 0;
            while (connections(server) == 2 && sent < 6000) {
                for (int i = 0; i < 50; i++) {
                    ann.say(text + sent++);
                }
                ann.awaitMessages(sent);
            }
            Await.until(() -> connections(server) == 1, "the slow member to be dropped");
            // then
            Scrape after = Scrape.of(server.metricsPort());
            assertThat(after.since(before, "chatroom_websocket_slow_consumers_closed_total{where=\"socket\"}")).isEqualTo(1);
            assertThat(after.since(before, "chatroom_websocket_closes_total{by=\"server\",code=\"1013\"}")).isEqualTo(1);
        }
    }

    @Test
    void the_metrics_port_listens_on_loopback_only_and_serves_nothing_but_get_metrics() throws Exception {
        try (TestServer server = TestServer.start("--metrics-port", "0")) {
            int port = server.metricsPort();
            HttpClient http = HttpClient.newHttpClient();
            URI root = URI.create("http://127.0.0.1:" + port);
            assertThat(http.send(HttpRequest.newBuilder(root.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(200);
            assertThat(http.send(HttpRequest.newBuilder(root.resolve("/status")).build(), HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(404);
            assertThat(http.send(
                                    HttpRequest.newBuilder(root.resolve("/metrics")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(405);
            // from this machine's own network address (not loopback), nothing answers on that port
            Optional<InetAddress> lan = nonLoopbackAddress();
            assumeTrue(lan.isPresent(), "this machine has no non-loopback IPv4 address to try");
            assertThatThrownBy(() -> {
                        try (Socket socket = new Socket()) {
                            socket.connect(new InetSocketAddress(lan.get(), port), 5_000);
                        }
                    })
                    .isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void a_metrics_port_already_taken_stops_the_start_with_a_line_that_names_it() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> TestServer.start("--metrics-port", Integer.toString(taken.getLocalPort())))
                    .hasMessageStartingWith("--metrics-port: cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void without_a_metrics_port_no_listener_is_opened() throws Exception {
        try (TestServer server = TestServer.start()) {
            assertThat(server.metricsPort()).isEqualTo(chatroom.Config.METRICS_OFF);
        }
    }

    private static int connections(TestServer server) {
        try {
            return server.status().get("connections");
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                    return Optional.of(address);
                }
            }
        }
        return Optional.empty();
    }
}
