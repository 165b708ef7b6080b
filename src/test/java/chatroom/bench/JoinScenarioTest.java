package chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The join scenario against a broadcast server that replays (or does not replay) history on join. */
class JoinScenarioTest {

    private final FixtureBroadcastServer server = FixtureBroadcastServer.start();

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void every_join_completes_when_the_history_arrives_on_the_new_socket() throws Exception {
        Report report = Bench.run("join", "--url", server.urlTemplate(), "--history", "50",
                "--join-rate", "40/s", "--duration", "1s", "--join-timeout", "10s");

        assertThat(report.number("joins_started")).isEqualTo(40);
        assertThat(report.number("completed")).isEqualTo(40);
        assertThat(report.number("failed") + report.number("timed_out")).isZero();
        assertThat(report.number("join_latency_ms.count")).isEqualTo(40);
    }

    @Test
    void joins_time_out_when_the_server_keeps_no_history() throws Exception {
        server.withoutHistory();

        Report report = Bench.run("join", "--url", server.urlTemplate(), "--history", "50",
                "--join-rate", "20/s", "--duration", "0.5s", "--join-timeout", "500ms");

        assertThat(report.number("completed")).isZero();
        assertThat(report.number("timed_out")).isEqualTo(report.number("joins_started")).isEqualTo(10);
    }
}
