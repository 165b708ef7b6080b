package chatroom.cluster;

import static chatroom.cluster.Invariants.assertNobodyShownLeaving;
import static chatroom.cluster.Invariants.assertOneStory;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.PrivateRedis;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Whole nodes through Redis failures, with pages on three nodes sending into one room all along: Redis
 * killed and restarted empty, and the nodes' subscriptions killed again and again. Redis carries the
 * doorbell and who is here, never the messages themselves, so nothing may be lost, repeated or
 * reordered, and nobody who stayed may be shown leaving. Each test has a private redis-server.
 */
class ClusterRedisFaultTest {

    private static final String ROOM = "storm";
    private static final int PAGES_PER_NODE = 2;

    private PrivateRedis redis;
    private Cluster cluster;
    private final Conversation talk = new Conversation();
    private final List<Page> pages = talk.pages;

    @BeforeEach
    void start() throws Exception {
        redis = PrivateRedis.start();
        cluster = new Cluster(redis.url());
        for (int i = 0; i < 3; i++) {
            cluster.startNode();
        }
        for (int i = 0; i < 3 * PAGES_PER_NODE; i++) {
            talk.add(new Page(ROOM, cluster.newVisitorCookie()).connect(cluster.node(i % 3)).joined());
        }
    }

    @AfterEach
    void stop() throws Exception {
        talk.close();
        if (cluster != null) {
            cluster.close();
        }
        redis.close();
    }

    /** The people every page was last told are here, once all six have arrived everywhere. */
    private List<String> everyoneHere() {
        Page last = pages.getLast();
        return Await.until(() -> last.here().size() == pages.size() ? last.here() : null,
                "the last page to list all " + pages.size() + " people", () -> "listed " + last.here());
    }

    /**
     * A newcomer is shown everyone who stayed: once the board is rebuilt (which may take a heartbeat or
     * two), and then straight away on a fresh join. A node always lists its own members, so "rebuilt" is
     * seen from two nodes (together they vouch for every node's users being back in Redis) by fresh
     * newcomers until one on each lists everyone; then a newcomer on the third node must at once.
     */
    private List<Page> assertNewcomersSeeEveryone(List<String> stayed) throws Exception {
        List<Page> newcomers = new ArrayList<>();
        for (int node = 0; node < 2; node++) {
            int on = node;
            Await.until(() -> {
                Page newcomer = newcomer(on);
                newcomers.add(newcomer); // kept until the end: a newcomer who left would be a leave notice
                return newcomer.here().containsAll(stayed) ? true : null;
            }, "a newcomer on node " + on + " to be shown everyone who stayed", Invariants.SETTLE);
        }
        Page fresh = newcomer(2);
        newcomers.add(fresh);
        assertThat(fresh.here()).as("who a fresh join lists").containsAll(stayed);
        return newcomers;
    }

    private Page newcomer(int node) {
        try {
            return new Page(ROOM, cluster.newVisitorCookie()).connect(cluster.node(node)).joined();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The room's one story on every page and in the database, and the people in it all still there. */
    private void assertNothingLostAndEveryoneStillHere(List<String> stayed) throws Exception {
        assertOneStory(cluster, ROOM, pages, talk.said);
        List<Page> newcomers = assertNewcomersSeeEveryone(stayed);
        List<Page> everyone = new ArrayList<>(pages);
        everyone.addAll(newcomers);
        assertNobodyShownLeaving(everyone);
        newcomers.forEach(Page::close);
    }

    @Test
    void redis_killed_and_restarted_empty_under_load_loses_repeats_and_reorders_nothing_and_presence_is_rebuilt()
            throws Exception {
        List<String> before = everyoneHere();
        for (int r = 0; r < 8; r++) {
            talk.round("a" + r);
        }

        redis.kill();
        for (int r = 0; r < 5; r++) {
            talk.round("down" + r); // each page's own node still stores and shows it
        }
        cluster.awaitReadiness(503, Invariants.SETTLE); // new sockets should prefer nodes that see the cluster
        redis.restart();
        cluster.awaitReadiness(200, Invariants.SETTLE);
        for (int r = 0; r < 8; r++) {
            talk.round("b" + r);
        }

        assertNothingLostAndEveryoneStillHere(before);
    }

    @Test
    void subscriptions_killed_again_and_again_under_load_lose_repeat_and_reorder_nothing() throws Exception {
        List<String> before = everyoneHere();
        for (int kill = 0; kill < 5; kill++) {
            for (int r = 0; r < 4; r++) {
                talk.round("k" + kill + "r" + r);
            }
            // each node has a feed subscription and a presence subscription
            assertThat(Integer.parseInt(redis.cli("CLIENT", "KILL", "TYPE", "pubsub").getFirst().trim()))
                    .as("pub/sub clients killed").isGreaterThanOrEqualTo(3);
        }
        for (int r = 0; r < 4; r++) {
            talk.round("end" + r);
        }

        assertNothingLostAndEveryoneStillHere(before);
    }
}
