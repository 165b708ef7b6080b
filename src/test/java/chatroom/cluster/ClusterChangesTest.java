package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.ChildServer;
import chatroom.PrivateRedis;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Edits, deletions, replies and reactions made on one node reach pages on another, as the message itself
 * does; and when the other node dies (kill -9) or Redis restarts empty, the page that reconnects is sent
 * what changed meanwhile by its cursor, from the database. A private redis-server per test, to restart.
 */
class ClusterChangesTest {

    private PrivateRedis redis;
    private Cluster cluster;

    @BeforeEach
    void start() throws Exception {
        redis = PrivateRedis.start();
        cluster = new Cluster(redis.url());
        cluster.startNode();
        cluster.startNode();
    }

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) cluster.close();
        redis.close();
    }

    @Test
    void an_edit_on_one_node_reaches_a_page_on_another_and_survives_that_node_s_kill_and_a_redis_restart() throws Exception {
        String annCookie = cluster.newVisitorCookie();
        Page ann = new Page("edits", annCookie).connect(cluster.node(0)).joined();
        Page bob = new Page("edits", cluster.newVisitorCookie()).connect(cluster.node(1)).joined();
        ann.say("frist");
        bob.awaitShown(1);

        // live, across nodes
        ann.sendFrame("{\"edit\": 1, \"text\": \"first\"}");
        assertThat(bob.awaitFrame(f -> f.contains("innerHTML:#m-1") && f.contains(">first<"))).contains("edited");

        // bob's node dies; while bob is away ann edits again and deletes; bob comes back on a fresh node
        ChildServer bobsNode = cluster.node(1);
        bobsNode.kill();
        ann.say("second");
        ann.awaitShown(2);
        ann.sendFrame("{\"edit\": 3, \"text\": \"second, better\"}");
        ann.awaitFrame(f -> f.contains("innerHTML:#m-3"));
        ChildServer fresh = cluster.startNode();
        bob.connect(fresh).joined();
        assertThat(bob.awaitFrame(f -> f.contains("innerHTML:#m-3") && f.contains("second, better"))).isNotNull();

        // Redis restarts empty: changes made meanwhile still reach bob, by the cursor's read of the database
        redis.kill();
        ann.sendFrame("{\"delete\": 1}");
        ann.awaitFrame(f -> f.contains("innerHTML:#m-1") && f.contains("message deleted"));
        redis.restart();
        cluster.awaitReadiness(200, Duration.ofSeconds(60));
        assertThat(bob.awaitFrame(f -> f.contains("innerHTML:#m-1") && f.contains("message deleted")))
                .as("bob is shown the deletion made while Redis was away").isNotNull();
        assertThat(cluster.node(0).get("/r/edits").body()).doesNotContain("frist").doesNotContain(">first<").contains("second, better");
    }

    @Test
    void a_reply_and_reactions_made_on_either_node_reach_the_other_and_a_page_that_was_away_when_they_changed() throws Exception {
        Page ann = new Page("answers", cluster.newVisitorCookie()).connect(cluster.node(0)).joined();
        Page bob = new Page("answers", cluster.newVisitorCookie()).connect(cluster.node(1)).joined();
        ann.say("lunch at noon?");
        bob.awaitShown(1);

        // bob answers on his node; ann's node shows the quote, read from the stored original
        bob.sendFrame("{\"message\": \"yes\", \"reply\": 1, \"cid\": \"r1\"}");
        assertThat(ann.awaitFrame(f -> f.contains(">yes<")))
                .contains("quote-of-1")
                .contains("In reply to")
                .contains("lunch at noon?");

        // a reaction from each node, counted once each, on both
        ann.sendFrame("{\"react\": 2, \"emoji\": \"👍\"}");
        bob.awaitFrame(f -> f.contains("innerHTML:#m-2") && countOf(f, "👍") == 1);
        bob.sendFrame("{\"react\": 2, \"emoji\": \"👍\"}");
        assertThat(ann.awaitFrame(f -> f.contains("innerHTML:#m-2") && countOf(f, "👍") == 2)).contains("title=\"");

        // bob's node dies; meanwhile ann takes her reaction back and changes the question; bob returns elsewhere
        ChildServer bobsNode = cluster.node(1);
        bobsNode.kill();
        ann.sendFrame("{\"unreact\": 2, \"emoji\": \"👍\"}");
        ann.awaitFrame(f -> f.contains("innerHTML:#m-2") && countOf(f, "👍") == 1);
        ann.sendFrame("{\"edit\": 1, \"text\": \"lunch at one?\"}");
        ann.awaitFrame(f -> f.contains("innerHTML:.quote-of-1") && f.contains("lunch at one?"));
        bob.connect(cluster.startNode()).joined();
        assertThat(bob.awaitFrame(f -> f.contains("innerHTML:#m-2") && countOf(f, "👍") == 1))
                .as("the reaction taken back while bob was away").isNotNull();
        assertThat(bob.awaitFrame(f -> f.contains("innerHTML:.quote-of-1") && f.contains("lunch at one?")))
                .as("the quote of the original as it now is").isNotNull();
        assertThat(cluster.node(0).get("/r/answers").body()).contains("lunch at one?").doesNotContain("lunch at noon?");
    }

    /** The count a frame shows for one emoji's reactions, or -1 when it shows none. */
    private static int countOf(String frame, String emoji) {
        java.util.regex.Matcher chip = java.util.regex.Pattern
                .compile("data-emoji=\"" + emoji + "\"[^>]*>" + emoji + " <span class=\"n\">(\\d+)</span>").matcher(frame);
        return chip.find() ? Integer.parseInt(chip.group(1)) : -1;
    }

    @Test
    void someone_typing_on_one_node_is_shown_to_a_page_on_another() throws Exception {
        Page ann = new Page("typists", cluster.newVisitorCookie()).connect(cluster.node(0)).joined();
        Page bob = new Page("typists", cluster.newVisitorCookie()).connect(cluster.node(1)).joined();

        ann.sendFrame("{\"typing\": true}");

        assertThat(bob.awaitFrame(f -> f.contains("data-typing="))).contains("beforeend:#typing-feed");
        assertThat(cluster.countAndMaxSeq("typists")).as("nothing stored").containsExactly(0L, 0L);
    }
}
