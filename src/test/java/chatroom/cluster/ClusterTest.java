package chatroom.cluster;

import static chatroom.cluster.Invariants.assertContiguous;
import static chatroom.cluster.Invariants.bySeq;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.ChildServer;
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
