package chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The idle scenario: connections over several source addresses, held with pings. */
class IdleScenarioTest {

    private final FixtureBroadcastServer server = FixtureBroadcastServer.start();

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void every_connection_opens_and_every_ping_gets_its_pong() throws Exception {
        Report report = Bench.run("idle", "--url", server.urlTemplate(), "--connections", "60", "--rooms", "3",
                "--source-addresses", "3", "--settle", "0s", "--hold", "2s", "--ping-interval", "1s",
                "--pid", "" + ProcessHandle.current().pid());

        assertThat(report.number("opened")).isEqualTo(60);
        assertThat(report.number("failures")).isZero();
        assertThat(report.number("pings_sent")).isEqualTo(120);
        assertThat(report.number("pongs_received")).isEqualTo(120);
        assertThat(report.number("unexpected_closes")).isZero();
        assertThat(report.number("server.rss_kb_after_settle")).isPositive();
    }
}
