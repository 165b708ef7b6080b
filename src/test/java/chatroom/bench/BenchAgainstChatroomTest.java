package chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each scenario, briefly, against the real server: the load generator speaks Chatroom's protocol and
 * counts it correctly (no figures are asserted; those belong in docs/BENCHMARKS.md).
 */
class BenchAgainstChatroomTest {

    private TestServer server;
    private String url;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start("--rate", "0");
        url = "ws://127.0.0.1:" + server.port() + "/r/{room}/ws";
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void fanout_counts_every_delivery_once_and_in_order() throws Exception {
        Report report = Bench.run("fanout", "--url", url, "--rooms", "2", "--members", "5", "--senders", "2",
                "--rate", "200/s", "--messages", "15", "--warmup", "0s", "--duration", "30s", "--settle", "0.5s");

        assertThat(report.number("sent_total")).isEqualTo(2 * 2 * 15);
        assertThat(report.number("delivered_total")).isEqualTo(2L * 2 * 15 * 5);
        assertThat(report.number("lost") + report.number("duplicated") + report.number("out_of_order")
                        + report.number("misrouted"))
                .isZero();
    }

    @Test
    void fanout_counts_every_message_of_frames_that_hold_several() throws Exception {
        // many messages in flight at once: the server joins what waits for a socket into one frame
        Report report = Bench.run("fanout", "--url", url, "--rooms", "1", "--members", "10", "--senders", "10",
                "--inflight", "20", "--messages", "60", "--warmup", "0s", "--duration", "60s", "--settle", "0.5s");

        assertThat(report.number("sent_total")).isEqualTo(10 * 60);
        assertThat(report.number("delivered_total")).isEqualTo(10L * 60 * 10);
        assertThat(report.number("lost") + report.number("duplicated") + report.number("out_of_order")
                        + report.number("misrouted"))
                .isZero();
        assertThat(report.number("messages_delivered_per_s")).as("messages delivered per second, against frames")
                .isGreaterThan(report.number("frames_delivered_per_s"));
    }

    @Test
    void join_waits_for_the_history_chatroom_sends() throws Exception {
        Report report = Bench.run("join", "--url", url, "--history", "50", "--join-rate", "20/s", "--duration", "1s",
                "--join-timeout", "10s");

        assertThat(report.number("completed")).isEqualTo(report.number("joins_started")).isEqualTo(20);
        assertThat(report.number("join_latency_ms.count")).isEqualTo(20);
    }

    @Test
    void idle_connections_are_held_with_pings_that_chatroom_answers() throws Exception {
        Report report = Bench.run("idle", "--url", url, "--connections", "40", "--rooms", "2", "--source-addresses", "2",
                "--settle", "0s", "--hold", "2s", "--ping-interval", "1s");

        assertThat(report.number("opened")).isEqualTo(40);
        assertThat(report.number("failures")).isZero();
        assertThat(report.number("pongs_received")).isEqualTo(report.number("pings_sent")).isPositive();
    }
}
