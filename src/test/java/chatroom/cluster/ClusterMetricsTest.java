package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.metrics.Scrape;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** What a cluster node's /metrics says about its traffic through Redis. Each node is a fresh JVM, so counts start at 0. */
class ClusterMetricsTest {

    @Test
    void a_node_counts_what_it_publishes_and_the_other_what_it_receives_and_both_subscriptions_are_up() throws Exception {
        try (Cluster cluster = Cluster.start(2, "--metrics-port", "0")) {
            Page ann = new Page("metered", null).connect(cluster.node(0)).joined();
            Page bob = new Page("metered", null).connect(cluster.node(1)).joined();
            int sent = 3;
            for (int i = 0; i < sent; i++) {
                ann.say("m" + i);
            }
            bob.awaitShown(sent);

            int publisher = cluster.node(0).metricsPort();
            int receiver = cluster.node(1).metricsPort();
            Await.until(() -> value(publisher, "chatroom_cluster_published_total") == sent, "node 1 to count its publishes");
            Await.until(() -> value(receiver, "chatroom_cluster_received_total") == sent, "node 2 to count what it received");
            assertThat(value(publisher, "chatroom_messages_stored_total")).isEqualTo(sent);
            assertThat(value(receiver, "chatroom_messages_stored_total")).isZero();
            assertThat(value(publisher, "chatroom_cluster_subscription_up")).isEqualTo(1);
            assertThat(value(receiver, "chatroom_cluster_subscription_up")).isEqualTo(1);
            assertThat(value(publisher, "chatroom_cluster_presence_up")).isEqualTo(1);
            assertThat(value(receiver, "chatroom_cluster_publish_failed_total")).isZero();
        }
    }

    private static double value(int port, String series) {
        try {
            return Scrape.of(port).value(series);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
