package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.room.Author;
import chatroom.room.PresenceBoard.Occupancy;
import chatroom.room.RoomName;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis presence board on the machine's Redis, as two nodes in one JVM: two boards with their own
 * node ids on one key prefix (the run's own). Where a test asserts that something was not announced,
 * it first lets every node put a marker through a room of its own: a watcher that has seen a node's
 * marker has seen everything Redis published before it.
 */
class RedisPresenceTest {

    static final String ROOM = "lounge";
    static final Author ANN = Author.of("u-ann", "ann");
    static final Author BOB = Author.of("u-bob", "bob");
    static final Author CY = Author.of("u-cy", "cy");
    static final Author DAN = Author.of("u-dan", "dan");

    PresenceNodes nodes;
    RedisPresence node1;
    RedisPresence node2;
    final ChangesSeen seen1 = new ChangesSeen();
    final ChangesSeen seen2 = new ChangesSeen();

    @BeforeEach
    void startTwoNodes() {
        nodes = new PresenceNodes();
        node1 = nodes.start("node-1");
        node2 = nodes.start("node-2");
        node1.watch(ROOM, seen1);
        node2.watch(ROOM, seen2);
        Markers.watch(node1, node2);
        ChangesSeen.awaitSubscribed(seen1, seen2);
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void a_user_connected_through_both_nodes_is_listed_once_and_joins_once() {
        node1.arrived(ROOM, ANN);
        node2.arrived(ROOM, ANN);
        node2.arrived(ROOM, BOB);

        Markers.settle(node1, node2);
        assertThat(names(node1, ROOM)).containsExactly("ann", "bob");
        assertThat(names(node2, ROOM)).containsExactly("ann", "bob");
        assertThat(seen1.lines()).containsExactly("joined ann", "joined bob");
        assertThat(seen2.lines()).containsExactly("joined ann", "joined bob");
    }

    @Test
    void a_user_stays_while_another_node_holds_them_and_leaves_once_when_the_last_one_lets_go() {
        node1.arrived(ROOM, ANN);
        node2.arrived(ROOM, ANN);
        Markers.settle(node1, node2);

        node1.departed(ROOM, ANN);
        Markers.settle(node1, node2);
        assertThat(names(node1, ROOM)).containsExactly("ann");
        assertThat(seen1.lines()).containsExactly("joined ann");
        assertThat(seen2.lines()).containsExactly("joined ann");

        node2.departed(ROOM, ANN);
        Markers.settle(node1, node2);
        assertThat(names(node1, ROOM)).isEmpty();
        assertThat(names(node2, ROOM)).isEmpty();
        assertThat(seen1.lines()).containsExactly("joined ann", "left ann");
        assertThat(seen2.lines()).containsExactly("joined ann", "left ann");
    }

    @Test
    void asserting_the_same_arrival_or_departure_twice_on_a_node_changes_nothing() {
        node1.arrived(ROOM, ANN);
        node1.arrived(ROOM, ANN);
        Markers.settle(node1, node2);
        assertThat(names(node2, ROOM)).containsExactly("ann");

        node1.departed(ROOM, ANN);
        node1.departed(ROOM, ANN);
        node2.departed(ROOM, ANN); // never there through node 2: not a reason to leave
        Markers.settle(node1, node2);
        assertThat(seen2.lines()).containsExactly("joined ann", "left ann");
        assertThat(names(node2, ROOM)).isEmpty();
    }

    @Test
    void people_are_listed_in_the_order_they_arrived_whichever_node_they_came_through() {
        node1.arrived(ROOM, CY);
        Markers.settle(node1, node2);
        node2.arrived(ROOM, ANN);
        Markers.settle(node1, node2);
        node1.arrived(ROOM, BOB);
        node2.arrived(ROOM, CY);

        Markers.settle(node1, node2);
        assertThat(names(node1, ROOM)).containsExactly("cy", "ann", "bob");
        assertThat(names(node2, ROOM)).containsExactly("cy", "ann", "bob");
    }

    @Test
    void a_rename_reaches_the_watchers_on_every_node_and_the_new_name_is_listed_and_left_with() {
        node1.arrived(ROOM, ANN);
        node2.arrived(ROOM, ANN);
        Markers.settle(node1, node2);

        Author anna = ANN.renamed("anna");
        node1.renamed(ROOM, anna, "ann");

        Markers.settle(node1, node2);
        assertThat(seen1.lines()).containsExactly("joined ann", "renamed ann to anna");
        assertThat(seen2.lines()).containsExactly("joined ann", "renamed ann to anna");
        assertThat(names(node2, ROOM)).containsExactly("anna");

        node1.departed(ROOM, anna);
        node2.departed(ROOM, ANN); // node 2's room may still call her by her old name: Redis knows better
        Markers.settle(node1, node2);
        assertThat(seen2.lines()).containsExactly("joined ann", "renamed ann to anna", "left anna");
    }

    @Test
    void the_lobby_counts_users_across_nodes_never_lists_a_private_room_and_limits_after_leaving_those_out() {
        String secret = RoomName.newPrivate().value();
        for (Author user : List.of(ANN, BOB, CY, DAN)) {
            node1.arrived(secret, user); // the busiest room of all, and never to be listed
        }
        node1.arrived("general", ANN);
        node2.arrived("general", ANN);
        node2.arrived("general", BOB);
        node1.arrived("general", CY);
        node2.arrived("books", ANN);
        node1.arrived("books", DAN);
        node2.arrived("quiet", DAN);
        node1.arrived("alpha", BOB);

        List<Occupancy> expected = List.of(
                occupancy("general", 3), occupancy("books", 2), occupancy("alpha", 1), occupancy("quiet", 1));
        for (RedisPresence node : List.of(node1, node2)) {
            Await.until(() -> node.busiest(10).equals(expected), "both nodes' lobbies to list " + expected
                    + "; node lists " + node.busiest(10));
            assertThat(node.busiest(2)).containsExactly(occupancy("general", 3), occupancy("books", 2));
        }

        node1.departed("general", CY);
        node2.departed("quiet", DAN);
        List<Occupancy> after = List.of(occupancy("books", 2), occupancy("general", 2), occupancy("alpha", 1));
        Await.until(() -> node2.busiest(10).equals(after), "the lobby to follow two departures to " + after);
    }

    @Test
    void a_silent_node_s_users_leave_within_the_timeout_and_those_still_connected_elsewhere_stay() {
        node1.arrived(ROOM, ANN);
        node1.arrived(ROOM, BOB);
        node1.arrived("general", DAN);
        Markers.settle(node1, node2);
        node2.arrived(ROOM, BOB);
        node2.arrived(ROOM, CY);
        Markers.settle(node1, node2);

        long silentSince = System.nanoTime();
        node1.close(); // as a crash: no departures, the heartbeat stops

        Duration within = PresenceNodes.NODE_TIMEOUT.plus(PresenceNodes.SWEEP).plus(Duration.ofSeconds(3));
        ChangesSeen.await(() -> seen2.saw("left ann"), "ann to leave after her node went silent", within.plusSeconds(5));
        assertThat(Duration.ofNanos(System.nanoTime() - silentSince)).isLessThan(within);
        Markers.settle(node2);
        assertThat(seen2.lines()).containsExactly("joined ann", "joined bob", "joined cy", "left ann");
        assertThat(names(node2, ROOM)).containsExactly("bob", "cy");
        Await.until(() -> node2.busiest(10).contains(occupancy(ROOM, 2))
                        && node2.busiest(10).stream().noneMatch(o -> o.name().value().equals("general")),
                "the lobby to drop the silent node's users");
    }

    @Test
    void leaving_for_good_departs_the_node_s_users_except_those_connected_elsewhere_and_its_heartbeat() throws Exception {
        node1.arrived(ROOM, ANN);
        node1.arrived(ROOM, BOB);
        Markers.settle(node1, node2);
        node2.arrived(ROOM, BOB);
        Markers.settle(node1, node2);

        node1.leaveAll().get(5, TimeUnit.SECONDS);

        Markers.settle(node2);
        assertThat(seen2.lines()).containsExactly("joined ann", "joined bob", "left ann");
        assertThat(names(node2, ROOM)).containsExactly("bob");
        try (StatefulRedisConnection<String, String> redis = nodes.connect()) {
            assertThat(redis.sync().keys(new PresenceKeys(nodes.prefix).base() + "node:node-1~*")).isEmpty();
            assertThat(redis.sync().exists(new PresenceKeys(nodes.prefix).claim("node-1"))).as("node 1's id").isZero();
        }
    }

    @Test
    void a_node_restarted_under_its_id_keeps_the_users_who_came_back_and_lets_the_others_go() {
        node1.arrived(ROOM, ANN);
        node1.arrived(ROOM, BOB);
        Markers.settle(node1, node2);

        node1.close();
        RedisPresence again = nodes.start("node-1");
        again.arrived(ROOM, ANN);

        ChangesSeen.await(() -> seen2.saw("left bob"), "bob, who did not come back, to leave",
                PresenceNodes.NODE_TIMEOUT.plusSeconds(5));
        Markers.watch(again);
        Markers.settle(again, node2);
        assertThat(seen2.lines()).containsExactly("joined ann", "joined bob", "left bob");
        assertThat(names(node2, ROOM)).containsExactly("ann");
    }

    @Test
    void a_node_declared_dead_while_it_was_only_slow_announces_its_users_again() {
        node1.arrived(ROOM, ANN);
        Markers.settle(node1, node2);

        node1.pauseHeartbeat(true); // as a long pause would: the sweeper declares node 1 dead
        ChangesSeen.await(() -> seen2.saw("left ann"), "node 1's user to leave", Duration.ofSeconds(10));

        node1.pauseHeartbeat(false);
        ChangesSeen.await(() -> seen2.count("joined ann") == 2, "node 1, still there, to announce her again", Duration.ofSeconds(10));
        Markers.settle(node1, node2);
        assertThat(seen2.lines()).containsExactly("joined ann", "left ann", "joined ann");
        assertThat(names(node2, ROOM)).containsExactly("ann");
    }

    // ---- helpers

    static List<String> names(RedisPresence node, String room) {
        try {
            List<String> names = new ArrayList<>();
            node.here(room).get(5, TimeUnit.SECONDS).forEach(user -> names.add(user.name()));
            return names;
        } catch (Exception e) {
            throw new AssertionError("here(" + room + ") failed", e);
        }
    }

    static Occupancy occupancy(String room, int people) {
        return new Occupancy(new RoomName(room), people);
    }

    /**
     * Markers through a room of their own: once every watching node has seen a marker from each node,
     * it has seen every change Redis published before (changes reach a node's subscription in the order
     * Redis ran them, and each node sends its changes in order).
     */
    static final class Markers {

        static final String ROOM = "markers";
        private static final AtomicInteger next = new AtomicInteger();
        private static final java.util.Map<RedisPresence, ChangesSeen> seen = new java.util.concurrent.ConcurrentHashMap<>();

        static void watch(RedisPresence... nodes) {
            for (RedisPresence node : nodes) {
                ChangesSeen changes = new ChangesSeen();
                seen.put(node, changes);
                node.watch(ROOM, changes);
                ChangesSeen.awaitSubscribed(changes);
            }
        }

        static void settle(RedisPresence... nodes) {
            List<String> markers = new ArrayList<>();
            for (RedisPresence node : nodes) {
                Author marker = Author.of("marker-" + next.incrementAndGet(), "marker-" + next.get());
                markers.add("joined " + marker.name());
                node.arrived(ROOM, marker);
            }
            for (RedisPresence node : nodes) {
                for (String marker : markers) {
                    Await.until(() -> seen.get(node).saw(marker), "a node to see " + marker);
                }
            }
        }
    }
}
