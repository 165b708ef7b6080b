package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.ChildServer;
import chatroom.PrivateRedis;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Who is here, across whole nodes: one user with tabs on two nodes is one person, stays while either
 * node lives, and leaves once, when the last one dies. The nodes run with short presence timings
 * (a heartbeat every second, dead after four) so that a dead node is swept within seconds.
 */
class ClusterPresenceTest {

    private static final String ROOM = "together";
    private static final String[] FAST_PRESENCE = {
        "--presence-heartbeat", "1s", "--presence-node-timeout", "4s", "--presence-sweep", "1s"
    };
    /** What the brief promises users: someone whose last node died is shown leaving within this. */
    private static final Duration LEAVE_WITHIN = Duration.ofSeconds(30);
    private static final Pattern NAME = Pattern.compile("id=\"display-name\" name=\"name\" value=\"([^\"]*)\"");

    private static long leaves(Page page) {
        return page.notices().stream().filter(n -> n.endsWith(" left")).count();
    }

    /** The name the site gives the visitor with this cookie, as its pages show it. */
    private static String nameOf(ChildServer node, String cookie) throws Exception {
        Matcher name = NAME.matcher(node.get("/r/" + ROOM, "Cookie", cookie).body());
        assertThat(name.find()).as("the name form on the room's page").isTrue();
        return name.group(1);
    }

    /** Waits until the sweeper has declared the node (its run) dead, so that whatever it would depart is departed. */
    private static void awaitDeclaredDead(Cluster cluster, String nodeId) {
        String keys = cluster.redisPrefix + ":presence:node:" + nodeId + "~*:dead";
        Await.until(() -> {
            try {
                return PrivateRedis.cli(6379, "KEYS", keys).stream().anyMatch(k -> !k.isBlank()) ? true : null;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, nodeId + " declared dead by the sweeper", Invariants.SETTLE);
    }

    /**
     * A newcomer's arrival goes through the same channel, after whatever the board announced before; once
     * the observer is shown it, every earlier notice has been shown too.
     */
    /**
     * The names a notice of users who joined or left gives: "ann joined", "ann and bob joined", "ann, bob
     * and 3 others joined" (changes that came within one presence update share a notice); none for others.
     */
    static List<String> names(String notice, String what) {
        String suffix = " " + what;
        if (!notice.endsWith(suffix)) return List.of();
        return List.of(notice.substring(0, notice.length() - suffix.length()).split(", | and "));
    }

    private static Page barrier(Cluster cluster, Page observer) throws Exception {
        long joinedBefore = observer.notices().stream().filter(n -> n.endsWith(" joined")).count();
        Page newcomer = new Page(ROOM, cluster.newVisitorCookie()).connect(cluster.node(2)).joined();
        Await.until(() -> observer.notices().stream().filter(n -> n.endsWith(" joined")).count() > joinedBefore ? true : null,
                "the observer to be shown a newcomer joining", Invariants.SETTLE);
        return newcomer;
    }

    @Test
    void a_user_on_two_nodes_is_listed_once_stays_when_one_node_dies_and_leaves_once_when_both_have() throws Exception {
        try (Cluster cluster = Cluster.start(3, FAST_PRESENCE)) {
            Page observer = new Page(ROOM, cluster.newVisitorCookie()).connect(cluster.node(2)).joined();
            String observerTag = observer.here().getFirst(); // alone in the room
            String ann = cluster.newVisitorCookie();
            String annName = nameOf(cluster.node(2), ann);
            Page tabOnFirst = new Page(ROOM, ann).connect(cluster.node(0)).joined();
            Page tabOnSecond = new Page(ROOM, ann).connect(cluster.node(1)).joined();

            String annTag = Await.until(() -> observer.here().size() == 2 ? observer.here().get(1) : null,
                    "the observer to list ann", () -> "listed " + observer.here());
            assertThat(observer.here().getFirst()).isEqualTo(observerTag);
            Page fresh = new Page(ROOM, cluster.newVisitorCookie()).connect(cluster.node(2)).joined();
            assertThat(Collections.frequency(fresh.here(), annTag)).as("ann listed, with tabs on two nodes").isEqualTo(1);
            assertThat(tabOnSecond.here()).as("as her own tab lists her").containsOnlyOnce(annTag);
            // the observer's first list lacked ann (she came after it): she must be shown joining, even when
            // her node's announcement raced the start of the room on the observer's node
            Await.until(() -> observer.notices().stream().anyMatch(n -> names(n, "joined").contains(annName)) ? true : null,
                    "the observer to be shown ann joining", Invariants.SETTLE);

            cluster.node(0).kill();
            awaitDeclaredDead(cluster, "node1");
            Page second = barrier(cluster, observer);
            assertThat(observer.notices()).as("notices").filteredOn(n -> names(n, "joined").contains(annName)).hasSize(1);
            assertThat(leaves(observer)).as("leave notices while ann is still here through another node; notices %s",
                    observer.notices()).isZero();
            Page late = new Page(ROOM, cluster.newVisitorCookie()).connect(cluster.node(2)).joined();
            assertThat(late.here()).as("who a newcomer sees").contains(annTag);

            long killedAt = System.nanoTime();
            cluster.node(1).kill();
            Await.until(() -> leaves(observer) > 0 ? true : null, "ann shown leaving", LEAVE_WITHIN);
            Duration leftAfter = Duration.ofNanos(System.nanoTime() - killedAt);
            awaitDeclaredDead(cluster, "node2");
            Page third = barrier(cluster, observer);
            assertThat(observer.notices()).as("leave notices").filteredOn(n -> n.endsWith(" left"))
                    .containsExactly(annName + " left");
            assertThat(observer.here()).doesNotContain(annTag);
            System.err.println("ann shown leaving " + leftAfter.toMillis() + " ms after her last node was killed");
            for (Page page : List.of(observer, tabOnFirst, tabOnSecond, fresh, second, late, third)) {
                page.close();
            }
        }
    }
}
