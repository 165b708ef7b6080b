package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node id's claim, with presence boards as nodes on the machine's Redis (short timings): a board
 * under a live board's id is refused, one under the id of a board that stopped beating (killed) waits
 * for its claim to run out and starts, and of two starting at once under one id exactly one starts.
 */
class NodeClaimTest {

    private final PresenceNodes nodes = new PresenceNodes();

    @AfterEach
    void stop() {
        nodes.close();
    }

    private String claimed(String nodeId) {
        try (StatefulRedisConnection<String, String> redis = nodes.connect()) {
            return redis.sync().get(new PresenceKeys(nodes.prefix).claim(nodeId));
        }
    }

    @Test
    void a_board_under_a_live_board_s_id_is_refused_naming_the_id_its_holder_and_what_to_do() {
        nodes.start("node-1");
        String holder = claimed("node-1");

        assertThatThrownBy(() -> nodes.start("node-1"))
                .isInstanceOf(NodeClaim.TakenException.class)
                .hasMessageStartingWith("node id 'node-1' is in use by a live node (" + holder + ")")
                .hasMessageContaining("another --node-id");
        assertThat(claimed("node-1")).as("the live board keeps the id").isEqualTo(holder);
    }

    @Test
    void a_board_under_the_id_of_one_that_stopped_beating_waits_for_its_claim_to_run_out_and_takes_it() {
        RedisPresence killed = nodes.start("node-1");
        String before = claimed("node-1");
        killed.pauseHeartbeat(true); // as kill -9 would: the claim is there, and nobody refreshes it

        nodes.start("node-1");

        assertThat(claimed("node-1")).isNotNull().isNotEqualTo(before).contains("incarnation ");
    }

    @Test
    void of_two_boards_starting_at_once_under_one_id_exactly_one_starts() throws Exception {
        ExecutorService starting = Executors.newFixedThreadPool(2);
        try {
            Callable<RedisPresence> start = () -> nodes.start("node-1");
            List<Future<RedisPresence>> both = List.of(starting.submit(start), starting.submit(start));
            List<Throwable> refused = new ArrayList<>();
            int started = 0;
            for (Future<RedisPresence> one : both) {
                try {
                    one.get(30, TimeUnit.SECONDS);
                    started++;
                } catch (ExecutionException e) {
                    refused.add(e.getCause());
                }
            }
            assertThat(started).as("boards started").isEqualTo(1);
            assertThat(refused).singleElement().isInstanceOf(NodeClaim.TakenException.class);
        } finally {
            starting.shutdownNow();
        }
    }
}
