package chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.bench.FixtureBroadcastServer.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fanout scenario's counting, against a broadcast server that is correct or misbehaves on purpose. */
class FanoutScenarioTest {

    private static final int ROOMS = 2;
    private static final int MEMBERS = 4;
    private static final int SENDERS = 2;
    private static final int MESSAGES = 20;
    private static final long EXPECTED_DELIVERIES = (long) ROOMS * SENDERS * MESSAGES * MEMBERS;

    private final FixtureBroadcastServer server = FixtureBroadcastServer.start();

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void every_message_reaches_every_member_once_and_in_order_on_a_correct_server() throws Exception {
        Report report = Bench.run("fanout", "--url", server.urlTemplate(), "--rooms", "" + ROOMS,
                "--members", "" + MEMBERS, "--senders", "" + SENDERS, "--rate", "400/s", "--messages", "" + MESSAGES,
                "--warmup", "0s", "--duration", "30s", "--settle", "0s", "--pid", "" + ProcessHandle.current().pid());

        assertThat(report.number("sent_total")).isEqualTo(ROOMS * SENDERS * MESSAGES);
        assertThat(report.number("delivered_total")).isEqualTo(EXPECTED_DELIVERIES);
        assertThat(report.number("latency_ms.count")).isEqualTo(EXPECTED_DELIVERIES);
        assertThat(report.number("lost")).isZero();
        assertThat(report.number("duplicated")).isZero();
        assertThat(report.number("out_of_order")).isZero();
        assertThat(report.number("misrouted")).isZero();
        assertThat(report.number("closed_early")).isZero();
        assertThat(report.number("server.rss_kb_before")).isPositive();
    }

    @Test
    void a_dropped_a_duplicated_and_a_reordered_delivery_are_each_counted_once() throws Exception {
        server.inject(Fault.DROP, "bench-0", 1, 5)
                .inject(Fault.DUPLICATE, "bench-0", 2, 7)
                .inject(Fault.REORDER, "bench-1", 3, 10);

        Report report = Bench.run("fanout", "--url", server.urlTemplate(), "--rooms", "" + ROOMS,
                "--members", "" + MEMBERS, "--senders", "" + SENDERS, "--rate", "400/s", "--messages", "" + MESSAGES,
                "--warmup", "0s", "--duration", "30s", "--drain", "1s", "--settle", "0s");

        assertThat(report.number("lost")).isEqualTo(1);
        assertThat(report.number("duplicated")).isEqualTo(1);
        assertThat(report.number("out_of_order")).isEqualTo(1);
        assertThat(report.number("misrouted")).isZero();
        assertThat(report.number("delivered_total")).isEqualTo(EXPECTED_DELIVERIES - 1);
    }

    @Test
    void closed_loop_senders_send_each_next_message_when_their_own_comes_back() throws Exception {
        Report report = Bench.run("fanout", "--url", server.urlTemplate(), "--rooms", "" + ROOMS,
                "--members", "" + MEMBERS, "--senders", "" + SENDERS, "--inflight", "3", "--messages", "" + MESSAGES,
                "--warmup", "0s", "--duration", "30s", "--settle", "0s");

        assertThat(report.get("mode")).isEqualTo("closed");
        assertThat(report.number("sent_total")).isEqualTo(ROOMS * SENDERS * MESSAGES);
        assertThat(report.number("delivered_total")).isEqualTo(EXPECTED_DELIVERIES);
        assertThat(report.number("lost") + report.number("duplicated") + report.number("out_of_order")).isZero();
    }

    @Test
    void messages_from_another_room_are_counted_as_misrouted() throws Exception {
        String everyoneInOneRoom = server.urlTemplate().replace("{room}", "shared");

        Report report = Bench.run("fanout", "--url", everyoneInOneRoom, "--rooms", "" + ROOMS,
                "--members", "" + MEMBERS, "--senders", "" + SENDERS, "--rate", "400/s", "--messages", "" + MESSAGES,
                "--warmup", "0s", "--duration", "30s", "--settle", "0s");

        assertThat(report.number("misrouted")).isEqualTo(EXPECTED_DELIVERIES);
        assertThat(report.number("delivered_total")).isEqualTo(EXPECTED_DELIVERIES);
        assertThat(report.number("lost")).isZero();
    }
}
