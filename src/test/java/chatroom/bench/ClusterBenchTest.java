package chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestDatabase;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The cluster-mode scenarios, briefly, with nodes the bench starts itself on the machine's PostgreSQL
 * and Redis: members spread over the nodes, deliveries between nodes counted as such, the backing
 * services' CPU measured, and the database and key prefix gone afterwards. No figures are asserted.
 */
class ClusterBenchTest {

    private static final String REDIS = "redis://127.0.0.1:6379";
    private static final String DATABASE_SERVER = "postgresql://" + TestDatabase.SERVER + "/test?user=postgres";

    @Test
    void fanout_over_two_started_nodes_counts_each_delivery_once_and_which_crossed_nodes() throws Exception {
        Report report = Bench.run("fanout", "--nodes", "2", "--database-server", DATABASE_SERVER, "--redis", REDIS,
                "--rooms", "1", "--members", "4", "--senders", "2", "--rate", "100/s", "--messages", "10",
                "--warmup", "0s", "--duration", "120s", "--drain", "30s", "--settle", "0.5s");

        // members 0 and 2 on node 1, 1 and 3 on node 2: of each message's 4 deliveries, 2 cross nodes
        assertThat(report.number("sent_total")).isEqualTo(20);
        assertThat(report.number("delivered_total")).isEqualTo(80);
        assertThat(report.number("latency_cross_node_ms.count")).isEqualTo(40);
        assertThat(report.number("latency_same_node_ms.count")).isEqualTo(40);
        assertThat(report.number("lost") + report.number("duplicated") + report.number("out_of_order")).isZero();
        assertThat(report.number("cpu.redis_cpu_s")).isNotNaN();
        assertThat(report.number("cpu.postgres_cpu_s")).isNotNaN();
        assertThat(report.number("cpu.total_cpu_s")).isPositive();
        thenNothingIsLeftBehind(report);
    }

    @Test
    void an_embedded_node_started_by_the_bench_is_measured_without_redis_or_postgres() throws Exception {
        Report report = Bench.run("fanout", "--nodes", "1", "--embedded", "--rooms", "1", "--members", "3",
                "--senders", "3", "--inflight", "2", "--messages", "10", "--warmup", "0s", "--duration", "120s",
                "--settle", "0.5s");

        assertThat(report.number("delivered_total")).isEqualTo(3 * 10 * 3);
        assertThat(report.number("lost") + report.number("duplicated") + report.number("out_of_order")).isZero();
        assertThat(report.number("acked_per_s")).isPositive();
        assertThat(report.number("cpu.nodes_cpu_s")).isPositive();
        // a fresh JVM compiles while it serves: that share is counted, and taken out of the figure without it
        assertThat(report.number("cpu.nodes_jit_cpu_s")).isGreaterThanOrEqualTo(0).isLessThanOrEqualTo(report.number("cpu.nodes_cpu_s"));
        assertThat(report.number("cpu.total_without_jit_us_per_message")).isPositive()
                .isLessThanOrEqualTo(report.number("cpu.total_us_per_message"));
        assertThat(report.number("cpu.redis_cpu_s")).isNaN();
    }

    @Test
    void cluster_idle_holds_every_nodes_connections_while_a_room_across_the_nodes_delivers() throws Exception {
        Report report = Bench.run("cluster-idle", "--nodes", "2", "--database-server", DATABASE_SERVER, "--redis", REDIS,
                "--connections-per-node", "20", "--rooms", "2", "--source-addresses", "2", "--settle", "0s",
                "--hold", "3s", "--ping-interval", "1s", "--live-members", "4", "--live-rate", "20/s",
                "--worker-jvm-opts", "-XX:+UseSerialGC -Xmx64m");

        assertThat(report.number("opened")).isEqualTo(40);
        assertThat(report.number("failures")).isZero();
        assertThat(report.number("pings_unanswered")).isZero();
        assertThat(report.number("live_room.delivered_total")).isPositive()
                .isEqualTo(report.number("live_room.expected_total"));
        assertThat(report.number("live_room.latency_cross_node_ms.count")).isPositive();
        assertThat(report.number("live_room.lost") + report.number("live_room.out_of_order")).isZero();
        thenNothingIsLeftBehind(report);
    }

    private static void thenNothingIsLeftBehind(Report report) throws Exception {
        Map<?, ?> setup = (Map<?, ?>) report.get("setup");
        String database = (String) setup.get("database");
        String prefix = (String) setup.get("redis_prefix");
        assertThat(database).startsWith("chatroom_bench_");
        try (Connection admin = DriverManager.getConnection("jdbc:" + DATABASE_SERVER);
                PreparedStatement select = admin.prepareStatement("SELECT count(*) FROM pg_database WHERE datname = ?")) {
            select.setString(1, database);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                assertThat(rows.getLong(1)).as("databases named " + database).isZero();
            }
        }
        RedisClient client = RedisClient.create(REDIS);
        try (StatefulRedisConnection<String, String> redis = client.connect()) {
            assertThat(redis.sync().keys(prefix + ":*")).as("keys under " + prefix).isEmpty();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
