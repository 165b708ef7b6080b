package chatroom.cluster;

import static chatroom.cluster.Invariants.assertContiguous;
import static chatroom.cluster.Invariants.bySeq;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.ChildServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Several nodes on one PostgreSQL and one Redis, each a real server in its own JVM, with real
 * WebSocket clients. The checks are the invariants, not timings: every page sees seqs increasing by
 * one, each once; all pages agree on what each seq holds; the database holds each message once and
 * its count equals its highest seq.
 */
class ClusterTest {

    @Test
    void members_on_three_nodes_see_every_message_once_in_the_same_order_as_history() throws Exception {
        try (Cluster cluster = Cluster.start(3)) {
            List<Page> pages = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                pages.add(new Page("spread", null).connect(cluster.node(i % 3)).joined());
            }
            int senders = 10;
            int rounds = 20;
            for (int r = 0; r < rounds; r++) {
                for (int s = 0; s < senders; s++) {
                    pages.get(s).say("s" + s + "r" + r);
                }
            }
            int total = senders * rounds;

            for (Page page : pages) {
                page.awaitShown(total);
                assertContiguous(page, 1, total);
                assertThat(bySeq(page)).isEqualTo(bySeq(pages.getFirst()));
            }
            for (int s = 0; s < senders; s++) { // each sender's messages in the order it sent them
                String prefix = "s" + s + "r";
                List<String> own = pages.getFirst().read().stream().map(Page.Shown::text).filter(t -> t.startsWith(prefix)).toList();
                assertThat(own).containsExactlyElementsOf(java.util.stream.IntStream.range(0, rounds).mapToObj(r -> prefix + r).toList());
            }
            assertThat(cluster.countAndMaxSeq("spread")).containsExactly(total, total);
            String history = cluster.node(2).get("/r/spread").body();
            for (long seq = total - 49; seq <= total; seq++) {
                assertThat(history).contains("id=\"m-" + seq + "\"").contains(">" + bySeq(pages.getFirst()).get(seq) + "<");
            }
            pages.forEach(Page::close);
        }
    }

    @Test
    void a_message_whose_commit_is_held_reaches_no_member_on_any_node_until_it_commits_then_each_once() throws Exception {
        // the nodes wait for the store longer than the test holds its lock, however loaded the machine: with
        // the default 5 s, PostgreSQL's lock_timeout would end the held write and the sender hear "not sent"
        try (Cluster cluster = Cluster.start(2, "--store-timeout", "60s")) {
            Page sender = new Page("held", null).connect(cluster.node(0)).joined();
            Page onOther = new Page("held", null).connect(cluster.node(1)).joined();
            Page markerHere = new Page("beside", null).connect(cluster.node(0)).joined();
            Page markerThere = new Page("beside", null).connect(cluster.node(1)).joined();
            sender.say("first"); // makes the room's counter row
            onOther.awaitShown(1);
            sender.awaitShown(1);

            // pg_stat_activity is read once per transaction: the watcher reads it outside the lock's
            try (Connection lock = cluster.connectToDatabase(); Connection watcher = cluster.connectToDatabase()) {
                // given the room's counter row locked by a transaction of the test's own: the node's batch
                // claims its seq with an upsert on that row, so its transaction cannot commit until we end ours
                lock.setAutoCommit(false);
                try (Statement select = lock.createStatement()) {
                    select.executeQuery("SELECT last_seq FROM rooms WHERE room = 'held' FOR UPDATE").close();
                }
                int lockHolder = backendPid(lock);

                // when a message is sent on node 1
                sender.say("held");

                // then its node's write waits on our lock (PostgreSQL says so: a backend blocked by ours)…
                String blocked = Await.until(() -> blockedBy(watcher, lockHolder), "node 1's write to wait on the test's lock",
                        Duration.ofSeconds(30));
                assertThat(blocked).as("the statement waiting on the lock").containsIgnoringCase("rooms");
                // …the nodes carry on meanwhile: a message in another room crosses from node 2 to node 1 (the
                // marker: whatever node 1 would have sent for "held" by now has been sent)…
                markerThere.say("marker");
                markerHere.awaitShown(1);
                markerThere.awaitShown(1);
                // …and no member on either node has been shown the message whose commit is held
                assertThat(sender.read()).extracting(Page.Shown::text).containsExactly("first");
                assertThat(onOther.read()).extracting(Page.Shown::text).containsExactly("first");
                assertThat(Await.until(() -> blockedBy(watcher, lockHolder), "node 1's write to be still waiting"))
                        .as("still held after the checks").isNotNull();

                lock.rollback(); // the commit may go ahead
            }

            // then it reaches every member on both nodes, once, before what is sent after it
            for (Page page : List.of(sender, onOther)) {
                page.awaitShown(2);
            }
            onOther.say("after");
            for (Page page : List.of(sender, onOther)) {
                page.awaitShown(3);
                assertThat(page.read()).extracting(Page.Shown::text).containsExactly("first", "held", "after");
                assertContiguous(page, 1, 3);
            }
            assertThat(cluster.countAndMaxSeq("held")).containsExactly(3, 3);
            for (Page p : List.of(sender, onOther, markerHere, markerThere)) {
                p.close();
            }
        }
    }

    private static int backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** The statement of a backend of this database that waits on a lock held by {@code holder}, or null. */
    private static String blockedBy(Connection c, int holder) {
        try (PreparedStatement s = c.prepareStatement("SELECT query FROM pg_stat_activity"
                + " WHERE datname = current_database() AND ? = ANY (pg_blocking_pids(pid))")) {
            s.setInt(1, holder);
            try (ResultSet rows = s.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new AssertionError("cannot read pg_stat_activity", e);
        }
    }

    @Test
    void a_message_whose_node_never_published_it_still_reaches_the_other_nodes() throws Exception {
        try (Cluster cluster = Cluster.start(2)) {
            ChildServer mute = cluster.startNode(Map.of("CHATROOM_FAULT_NO_PUBLISH", "true"));
            Page onMute = new Page("mute", null).connect(mute).joined();
            Page elsewhere = new Page("mute", null).connect(cluster.node(0)).joined();
            Page third = new Page("mute", null).connect(cluster.node(1)).joined();

            onMute.say("committed but never announced");

            assertThat(elsewhere.awaitShown(1).getFirst().text()).isEqualTo("committed but never announced");
            assertThat(third.awaitShown(1).getFirst().seq()).isEqualTo(1);
            elsewhere.say("and the room goes on");
            assertThat(onMute.awaitShown(2).get(1).text()).isEqualTo("and the room goes on");
            assertContiguous(onMute, 1, 2);
            for (Page p : List.of(onMute, elsewhere, third)) {
                p.close();
            }
        }
    }

    @Test
    void pages_of_a_killed_node_reconnect_to_another_and_miss_nothing_see_nothing_twice() throws Exception {
        try (Cluster cluster = Cluster.start(2)) {
            ChildServer doomed = cluster.node(1);
            ChildServer staying = cluster.node(0);
            List<Page> onDoomed = new ArrayList<>();
            List<Page> onStaying = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                // each page keeps its visitor's cookie across reconnects, as a browser does
                onDoomed.add(new Page("crash", cluster.newVisitorCookie()).connect(doomed).joined());
                onStaying.add(new Page("crash", cluster.newVisitorCookie()).connect(staying).joined());
            }
            List<String> sent = new ArrayList<>();
            for (int r = 0; r < 30; r++) {
                for (int i = 0; i < 3; i++) {
                    String a = "d" + i + "r" + r;
                    String b = "k" + i + "r" + r;
                    onDoomed.get(i).say(a);
                    onStaying.get(i).say(b);
                    sent.add(a);
                    sent.add(b);
                }
                if (r == 15) {
                    doomed.kill(); // mid-stream: some of its messages are committed, some lost with it
                    for (Page page : onDoomed) {
                        page.connect(staying);
                        page.joined();
                        page.resendUnconfirmed();
                    }
                }
            }
            for (Page page : onDoomed) {
                Await.until(() -> page.unconfirmed().isEmpty() ? true : null, "every message of the page confirmed",
                        () -> "unconfirmed " + page.unconfirmed() + "; shown " + page.read().stream().map(Page.Shown::text).toList());
            }
            long[] countMax = Await.until(() -> {
                long[] cm = cluster.countAndMaxSeq("crash");
                return cm[0] >= sent.size() ? cm : null;
            }, "every message stored");
            assertThat(countMax[0]).as("rows in the room").isEqualTo(sent.size());
            assertThat(countMax[1]).isEqualTo(countMax[0]);
            for (String text : sent) {
                assertThat(cluster.rowsWithText("crash", text)).as(text).isEqualTo(1);
            }
            List<Page> all = new ArrayList<>(onDoomed);
            all.addAll(onStaying);
            for (Page page : all) {
                page.awaitShown((int) countMax[0]);
                assertContiguous(page, 1, countMax[0]);
                assertThat(bySeq(page)).isEqualTo(bySeq(onStaying.getFirst()));
                page.close();
            }
        }
    }

    @Test
    void a_draining_node_turns_unready_and_its_pages_move_to_another_node_without_losing_anything() throws Exception {
        try (Cluster cluster = Cluster.start(1)) {
            ChildServer leaving = cluster.startNode("--drain", "3s");
            ChildServer staying = cluster.node(0);
            List<Page> moving = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                moving.add(new Page("drain", null).connect(leaving).joined());
            }
            Page writer = new Page("drain", null).connect(staying).joined();
            writer.say("before");
            moving.forEach(p -> p.awaitShown(1));

            leaving.terminate();
            Await.until(() -> {
                try {
                    return leaving.get("/readyz").statusCode() == 503 ? true : null;
                } catch (Exception gone) {
                    return null;
                }
            }, "the leaving node to report unready");
            writer.say("during");
            long firstClose = Long.MAX_VALUE;
            long lastClose = Long.MIN_VALUE;
            for (Page page : moving) {
                assertThat(page.awaitClose()).isEqualTo(1012);
                firstClose = Math.min(firstClose, page.closedAtNanos());
                lastClose = Math.max(lastClose, page.closedAtNanos());
            }
            writer.say("after");
            for (Page page : moving) {
                page.connect(staying);
                page.awaitShown(3);
                assertContiguous(page, 1, 3);
                page.close();
            }
            assertThat((lastClose - firstClose) / 1_000_000).as("ms between the first and last close").isGreaterThan(300);
            writer.close();
            leaving.awaitExit();
        }
    }
}
