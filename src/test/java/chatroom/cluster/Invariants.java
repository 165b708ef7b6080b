package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * What every cluster test checks once the dust has settled, as a user of the room would: each page shows
 * the room's messages with seqs increasing by one, each once; all pages agree on what each seq holds;
 * the database holds every acknowledged message once and as many rows as its highest seq; history
 * shows the same. And nobody who stayed connected was ever shown leaving.
 */
final class Invariants {

    /** Long enough for a tail check or a resubscription on a loaded machine. */
    static final Duration SETTLE = Duration.ofSeconds(30);

    private Invariants() {}

    static void assertContiguous(Page page, long from, long to) {
        List<Long> seqs = page.seqs();
        List<Long> repeated = seqs.stream().filter(s -> seqs.indexOf(s) != seqs.lastIndexOf(s)).distinct().toList();
        assertThat(seqs)
                .as("seqs shown (repeated: %s); frames:%n%s", repeated, page.frameSummary())
                .containsExactlyElementsOf(LongStream.rangeClosed(from, to).boxed().toList());
    }

    static Map<Long, String> bySeq(Page page) {
        Map<Long, String> texts = new HashMap<>();
        page.read().forEach(m -> texts.put(m.seq(), m.text()));
        return texts;
    }

    /** Waits until each page has seen back every message it sent (it may still resend some). */
    static void awaitConfirmed(List<Page> pages) {
        for (Page page : pages) {
            Await.until(() -> page.unconfirmed().isEmpty() ? true : null, "every message of the page confirmed", SETTLE);
        }
    }

    /**
     * The room holds exactly {@code sent}, each once; every page shows seqs 1..n once each in one order,
     * and the room's page (history) agrees for its newest messages.
     */
    static void assertOneStory(Cluster cluster, String room, List<Page> pages, List<String> sent) throws Exception {
        long[] countMax = Await.until(() -> {
            long[] cm = cluster.countAndMaxSeq(room);
            return cm[0] >= sent.size() ? cm : null;
        }, "every message stored", SETTLE);
        assertThat(countMax[0]).as("rows in the room").isEqualTo(sent.size());
        assertThat(countMax[1]).as("highest seq").isEqualTo(countMax[0]);
        for (String text : sent) {
            assertThat(cluster.rowsWithText(room, text)).as("rows holding '%s'", text).isEqualTo(1);
        }
        int total = sent.size();
        Map<Long, String> first = null;
        for (Page page : pages) {
            Await.until(() -> page.read().size() >= total ? true : null, room + ": " + total + " messages shown",
                    SETTLE);
            assertContiguous(page, 1, total);
            if (first == null) {
                first = bySeq(page);
            }
            assertThat(bySeq(page)).isEqualTo(first);
        }
        String history = cluster.node(cluster.nodes.size() - 1).get("/r/" + room).body();
        for (long seq = Math.max(1, total - 49); seq <= total; seq++) {
            assertThat(history).contains("id=\"m-" + seq + "\"").contains(">" + first.get(seq) + "<");
        }
    }

    /** No page was ever told that someone left: everyone in these tests stayed connected. */
    static void assertNobodyShownLeaving(List<Page> pages) {
        for (Page page : pages) {
            assertThat(page.notices()).as("notices shown; frames:%n%s", page.frameSummary())
                    .noneMatch(notice -> notice.endsWith(" left"));
        }
    }
}
