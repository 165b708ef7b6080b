package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.cluster.RedisPresenceTest.Markers;
import chatroom.room.Author;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A room that has just started on a node, whose subscription to the room's channel has not taken effect
 * yet: node-2 reaches Redis through a proxy that holds its SUBSCRIBE back, so a join announced by node-1
 * meanwhile is published before node-2 hears the channel. Its members were already shown who was here;
 * they must be told of whoever joined after that, once, and of nobody they were already shown.
 */
class RedisPresenceStartTest {

    static final String ROOM = "lounge";
    static final Author ANN = Author.of("u-ann", "ann");
    static final Author BOB = Author.of("u-bob", "bob");

    PresenceNodes direct;
    PresenceNodes proxied;
    FreezingProxy proxy;
    RedisPresence node1;
    RedisPresence node2;
    final ChangesSeen seen1 = new ChangesSeen();
    final ChangesSeen seen2 = new ChangesSeen();

    @BeforeEach
    void startTwoNodes() throws Exception {
        direct = new PresenceNodes();
        proxy = new FreezingProxy(6379);
        proxied = new PresenceNodes(proxy.url());
        node1 = direct.start("node-1");
        node2 = proxied.start(direct.settings("node-2")); // the same deployment, through the proxy
        node1.watch(ROOM, seen1);
        ChangesSeen.awaitSubscribed(seen1);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.holdSubscribes(false);
        proxied.close();
        direct.close();
        proxy.close();
    }

    @Test
    void someone_who_joins_while_a_room_starts_on_a_node_is_announced_there_once_if_its_first_list_lacked_them()
            throws Exception {
        proxy.holdSubscribes(true);
        node2.watch(ROOM, seen2);
        node2.arrived(ROOM, BOB); // bob's page opens the room on node-2 ...
        assertThat(names(node2)).as("the list bob is shown").containsExactly("bob");

        node1.arrived(ROOM, ANN); // ... and ann arrives on node-1 before node-2 hears the channel
        Await.until(() -> seen1.saw("joined ann"), "node-1 to hear ann join");
        proxy.holdSubscribes(false);

        Await.until(() -> seen2.saw("joined ann") ? true : null, "node-2's room to be told ann joined", () -> "told " + seen2.lines());
        Markers.watch(node1, node2);
        Markers.settle(node1, node2);
        assertThat(seen2.count("joined ann")).as("ann's joins told on node-2; told %s", seen2.lines()).isEqualTo(1);
        assertThat(names(node2)).containsExactlyInAnyOrder("bob", "ann");
    }

    @Test
    void someone_already_in_the_first_list_of_a_room_starting_on_a_node_is_not_announced_there() throws Exception {
        node1.arrived(ROOM, ANN);
        Await.until(() -> seen1.saw("joined ann"), "node-1 to hear ann join");
        proxy.holdSubscribes(true);
        node2.watch(ROOM, seen2);
        node2.arrived(ROOM, BOB);
        assertThat(names(node2)).as("the list bob is shown").containsExactly("ann", "bob");
        proxy.holdSubscribes(false);

        ChangesSeen.awaitSubscribed(seen2);
        Markers.watch(node1, node2);
        Markers.settle(node1, node2);
        assertThat(seen2.lines()).as("told on node-2").containsExactly("joined bob");
    }

    private static List<String> names(RedisPresence node) throws Exception {
        return node.here(ROOM).get(5, TimeUnit.SECONDS).stream().map(Author::name).toList();
    }
}
