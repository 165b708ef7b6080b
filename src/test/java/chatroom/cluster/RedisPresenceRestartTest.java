package chatroom.cluster;

import static chatroom.cluster.RedisPresenceTest.ANN;
import static chatroom.cluster.RedisPresenceTest.BOB;
import static chatroom.cluster.RedisPresenceTest.CY;
import static chatroom.cluster.RedisPresenceTest.DAN;
import static chatroom.cluster.RedisPresenceTest.ROOM;
import static chatroom.cluster.RedisPresenceTest.names;
import static chatroom.cluster.RedisPresenceTest.occupancy;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.PrivateRedis;
import chatroom.cluster.RedisPresenceTest.Markers;
import chatroom.room.Author;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis presence board when Redis goes away, on a redis-server of the test's own: killed, it comes
 * back empty, as after a crash without persistence. Two boards act as two nodes.
 */
class RedisPresenceRestartTest {

    PrivateRedis redis;
    PresenceNodes nodes;
    RedisPresence node1;
    RedisPresence node2;
    final ChangesSeen seen1 = new ChangesSeen();
    final ChangesSeen seen2 = new ChangesSeen();

    @BeforeEach
    void startTwoNodesOnAPrivateRedis() throws Exception {
        redis = PrivateRedis.start();
        nodes = new PresenceNodes(redis.url());
        node1 = nodes.start("node-1");
        node2 = nodes.start("node-2");
        node1.watch(ROOM, seen1);
        node2.watch(ROOM, seen2);
        Markers.watch(node1, node2);
        ChangesSeen.awaitSubscribed(seen1, seen2);
    }

    @AfterEach
    void stop() throws Exception {
        nodes.close();
        redis.close();
    }

    @Test
    void after_redis_restarts_empty_every_node_asserts_its_users_again_and_nobody_leaves_or_joins_again() throws Exception {
        node1.arrived(ROOM, ANN);
        node1.arrived(ROOM, CY);
        Markers.settle(node1, node2);
        node2.arrived(ROOM, BOB);
        node2.arrived(ROOM, CY);
        Markers.settle(node1, node2);
        List<String> before = List.of("joined ann", "joined cy", "joined bob");
        assertThat(seen1.lines()).isEqualTo(before);

        redis.kill();
        redis.restart();

        // each node lists the other node's users only once Redis has them again
        Await.until(() -> names(node1, ROOM).contains("bob") && names(node2, ROOM).contains("ann"),
                "both nodes to assert their users again");
        assertThat(names(node1, ROOM)).containsExactlyInAnyOrder("ann", "bob", "cy");
        assertThat(names(node2, ROOM)).containsExactlyInAnyOrder("ann", "bob", "cy");
        Await.until(() -> node2.busiest(10).contains(occupancy(ROOM, 3)), "the lobby to count the room's 3 users again");
        Markers.settle(node1, node2);
        assertThat(seen1.lines()).isEqualTo(before);
        assertThat(seen2.lines()).isEqualTo(before);

        // and presence goes on as before
        node2.departed(ROOM, CY);
        node1.departed(ROOM, CY);
        Markers.settle(node1, node2);
        assertThat(seen2.lines()).endsWith("left cy");
        assertThat(seen2.count("left cy")).isEqualTo(1);
    }

    @Test
    void while_redis_is_away_changes_return_at_once_and_here_answers_for_this_node_and_they_reach_redis_when_it_is_back()
            throws Exception {
        node1.arrived(ROOM, ANN);
        Markers.settle(node1, node2);
        node2.arrived(ROOM, BOB);
        Markers.settle(node1, node2);
        assertThat(names(node1, ROOM)).containsExactly("ann", "bob");

        redis.kill();
        Await.until(() -> names(node1, ROOM).equals(List.of("ann", "bob")) ? Boolean.TRUE : null,
                "node 1 to answer from what it knows"); // the here() that found Redis gone
        int refreshes = seen1.refreshes();
        long start = System.nanoTime();
        node1.arrived(ROOM, DAN);
        node1.departed(ROOM, ANN);
        Author anna = Author.of("u-anna", "anna");
        node1.arrived(ROOM, anna);
        node1.busiest(10);
        // "at once" against what waiting on Redis would cost: one call that waited would wait out the client's
        // command timeout (1 s, PresenceNodes), far more than four calls that return at once take even on a
        // loaded 2-core machine (a bound of 100 ms failed there now and then with nothing wrong)
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PresenceNodes.COMMAND_TIMEOUT);
        // node 1's room is told to read who is here, and gets Redis's last answer with node 1's changes
        ChangesSeen.await(() -> seen1.refreshes() > refreshes, "node 1's room to be told to read who is here",
                Duration.ofSeconds(20));
        assertThat(names(node1, ROOM)).containsExactly("bob", "dan", "anna");

        redis.restart();

        Await.until(() -> names(node2, ROOM).containsAll(List.of("bob", "dan", "anna")) && !names(node2, ROOM).contains("ann"),
                "node 2 to list the users node 1 asserted");
        ChangesSeen.await(() -> seen2.saw("joined dan") && seen2.saw("joined anna"),
                "the users who arrived while Redis was away to be announced", Duration.ofSeconds(10));
        Markers.settle(node1, node2);
        assertThat(seen2.count("joined dan")).isEqualTo(1);
        assertThat(seen2.lines()).doesNotContain("left dan", "left anna");
    }

    @Test
    void a_node_that_writes_after_redis_lost_its_heartbeat_is_not_declared_dead_before_its_next_beat() throws Exception {
        // a long node timeout: whatever is declared dead here was declared so wrongly
        RedisPresence node3 = nodes.start(nodes.settings("node-3")
                .withLiveness(PresenceNodes.HEARTBEAT, Duration.ofSeconds(30), PresenceNodes.SWEEP));
        node3.arrived(ROOM, ANN);
        ChangesSeen.await(() -> seen2.saw("joined ann"), "ann to arrive through node 3", Duration.ofSeconds(10));
        node3.pauseHeartbeat(true); // its next beat has not come yet…

        redis.cli("FLUSHALL"); // …when Redis loses everything
        node3.arrived(ROOM, DAN); // and someone arrives through it
        ChangesSeen.await(() -> seen2.saw("joined dan"), "dan to arrive through node 3", Duration.ofSeconds(10));
        awaitSweepRounds(2);
        Markers.settle(node1, node2);
        assertThat(seen2.lines()).as("changes seen while node 3 had not beaten since the wipe")
                .containsExactly("joined ann", "joined dan");

        node3.pauseHeartbeat(false);
        Await.until(() -> names(node2, ROOM).containsAll(List.of("ann", "dan")), "node 3 to assert ann again");
        Markers.settle(node1, node2);
        assertThat(seen2.lines()).containsExactly("joined ann", "joined dan");
    }

    /** Waits until some node has taken the sweeper's lock {@code rounds} times over, each a sweep. */
    private void awaitSweepRounds(int rounds) throws Exception {
        String lock = new PresenceKeys(nodes.prefix).sweeperLock();
        for (int round = 0; round < rounds; round++) {
            redis.cli("DEL", lock);
            Await.until(() -> {
                try {
                    return redis.cli("EXISTS", lock).getFirst().trim().equals("1") ? true : null;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }, "a sweep");
        }
    }
}
