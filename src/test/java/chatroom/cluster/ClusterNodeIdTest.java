package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.ChildServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One node id, one live process: a second node started under the id of a live one is refused, a node
 * restarted under its id after it was killed starts, and what a duplicate wrote anyway (one that never
 * claimed the id, as one started while the id's heartbeat was absent) goes when it dies. Short presence
 * timings (a heartbeat every second, dead after four) keep the waits within seconds.
 */
class ClusterNodeIdTest {

    private static final String ROOM = "twins";
    private static final String[] FAST_PRESENCE = {
        "--presence-heartbeat", "1s", "--presence-node-timeout", "4s", "--presence-sweep", "1s"
    };
    private static final Duration LEAVE_WITHIN = Duration.ofSeconds(30);

    private static String[] flags(String... more) {
        List<String> all = new ArrayList<>(List.of(FAST_PRESENCE));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void a_second_node_under_a_live_node_s_id_is_refused_naming_the_id_and_its_holder_and_the_first_keeps_serving()
            throws Exception {
        try (Cluster cluster = new Cluster(Cluster.MACHINE_REDIS)) {
            ChildServer first = cluster.startNode(flags("--node-id", "web-1"));
            Page ann = new Page(ROOM, cluster.newVisitorCookie()).connect(first).joined();

            ChildServer.Finished second = cluster.runNode(flags("--node-id", "web-1"));

            assertThat(second.exitCode()).as("exit status; printed %s%s", second.out(), second.err()).isEqualTo(1);
            assertThat(second.err())
                    .contains("chatroom: node id 'web-1' is in use by a live node (pid ")
                    .contains("another --node-id");
            assertThat(first.get("/readyz").statusCode()).isEqualTo(200);
            ann.say("still here");
            assertThat(ann.awaitShown(1).getFirst().text()).isEqualTo("still here");
            ann.close();
        }
    }

    @Test
    void a_node_killed_and_restarted_under_its_id_waits_for_its_last_heartbeat_to_run_out_and_starts() throws Exception {
        try (Cluster cluster = new Cluster(Cluster.MACHINE_REDIS)) {
            // the default timings: a claim that lasts 10 s outlives a JVM's start
            ChildServer first = cluster.startNode("--node-id", "web-1");
            cluster.awaitReadiness(200, Invariants.SETTLE);

            first.kill(); // its claim is still fresh in Redis, and nobody refreshes it
            ChildServer again = cluster.startNode("--node-id", "web-1");

            assertThat(again.output()).as("the restarted node's log")
                    .anyMatch(line -> line.contains("claimed the id after the heartbeat of pid "));
            cluster.awaitReadiness(200, Invariants.SETTLE);
            Page ann = new Page(ROOM, cluster.newVisitorCookie()).connect(again).joined();
            ann.say("back");
            assertThat(ann.awaitShown(1).getFirst().text()).isEqualTo("back");
            ann.close();
        }
    }

    @Test
    void the_users_of_a_duplicate_that_dies_leave_every_node_s_people_list_and_the_live_node_s_users_stay() throws Exception {
        try (Cluster cluster = new Cluster(Cluster.MACHINE_REDIS)) {
            ChildServer live = cluster.startNode(flags("--node-id", "web-1"));
            ChildServer other = cluster.startNode(flags("--node-id", "web-2"));
            // writes presence under web-1 without claiming it, as a node started while its heartbeat was absent would
            ChildServer duplicate = cluster.startNode(Map.of("CHATROOM_FAULT_SKIP_NODE_ID_CLAIM", "true"),
                    flags("--node-id", "web-1"));
            Page observer = new Page(ROOM, cluster.newVisitorCookie()).connect(other).joined();
            String observerTag = observer.here().getFirst();
            Page ann = new Page(ROOM, cluster.newVisitorCookie()).connect(live).joined();
            String annTag = Await.until(() -> observer.here().size() == 2 ? observer.here().get(1) : null,
                    "the observer to list ann, on the live node", () -> "listed " + observer.here());
            Page bob = new Page(ROOM, cluster.newVisitorCookie()).connect(duplicate).joined();
            String bobTag = Await.until(() -> observer.here().size() == 3 ? observer.here().get(2) : null,
                    "the observer to list bob, on the duplicate", () -> "listed " + observer.here());
            Await.until(() -> ann.here().contains(bobTag) ? true : null, "ann, on the live node, to list bob");

            duplicate.kill();

            Await.until(() -> !observer.here().contains(bobTag) ? true : null,
                    "bob to leave the observer's list once the duplicate is dead", LEAVE_WITHIN);
            Await.until(() -> !ann.here().contains(bobTag) ? true : null,
                    "bob to leave the list on the live node under the same id", LEAVE_WITHIN);
            // fresh lists on both nodes, read after bob left: ann and the observer, not bob
            for (ChildServer node : List.of(live, other)) {
                Page newcomer = new Page(ROOM, cluster.newVisitorCookie()).connect(node).joined();
                assertThat(newcomer.here()).as("who a newcomer on port %s sees", node.port)
                        .contains(observerTag, annTag).doesNotContain(bobTag);
                newcomer.close();
            }
            assertThat(observer.here()).contains(annTag);
            assertThat(observer.notices()).as("leave notices").filteredOn(n -> n.endsWith(" left")).hasSize(1);
            for (Page page : List.of(observer, ann, bob)) {
                page.close();
            }
        }
    }
}
