package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.PrivateRedis;
import chatroom.WsClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A cluster node whose visitors come and go room after room drops each room's Redis subscriptions as it empties. */
class ClusterRoomChurnTest {

    private static final int REDIS_PORT = 6379;
    private static final int ROOMS = 100;

    @Test
    void the_redis_channels_of_rooms_entered_and_left_return_to_what_they_were_within_seconds() throws Exception {
        try (Cluster cluster = Cluster.start(1)) {
            int port = cluster.node(0).port;
            try (WsClient stays = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/r/stays/ws"))) {
                stays.awaitFrame(f -> f.contains("id=\"presence\""));
                int before = channels(cluster).size();

                // when visitors enter room after room, each leaving at once
                for (int i = 0; i < ROOMS; i++) {
                    try (WsClient passing = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/r/passing-" + i + "/ws"))) {
                        passing.awaitFrame(f -> true);
                    }
                }

                // then their rooms' feed and presence channels go, well before --room-idle (60 s)
                Await.until(() -> channels(cluster).size() == before, "the channels to return to " + before,
                        Duration.ofSeconds(20));
                assertThat(channels(cluster)).noneMatch(channel -> channel.contains("passing-"));
                assertThat(channels(cluster)).anyMatch(channel -> channel.contains("stays"));
            }
        }
    }

    /** PUBSUB CHANNELS under the cluster's key prefix. */
    private static List<String> channels(Cluster cluster) {
        try {
            return PrivateRedis.cli(REDIS_PORT, "PUBSUB", "CHANNELS", cluster.redisPrefix + ":*").stream()
                    .filter(line -> !line.isBlank())
                    .toList();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
