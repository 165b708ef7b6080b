package chatroom.cluster;

import static chatroom.cluster.Invariants.assertOneStory;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.PrivatePostgres;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Whole nodes through a PostgreSQL crash ({@code pg_ctl restart -m immediate} of a private server) while
 * pages on two nodes keep sending into one room. A send the database did not take is reported to its
 * sender, whose page keeps the text and sends it again with the same id; nothing acknowledged is lost,
 * nothing is stored or shown twice, seqs stay gap-free, and the nodes recover by themselves.
 */
class ClusterPostgresFaultTest {

    private static final String ROOM = "outage";
    private static final String NOT_SENT = "Your message was not sent";
    /** Sends fail after the pool's connection timeout (5 s) while the server is away; then some. */
    private static final Duration OUTAGE_NOTICED = Duration.ofSeconds(30);

    private final Conversation talk = new Conversation();
    private final List<Page> pages = talk.pages;

    /**
     * What a user does after "not sent": presses send again, until it goes. The page resends what it never
     * saw back, under the same ids, so a message that was stored after all is not stored twice.
     */
    private void resendUntilConfirmed() {
        long deadline = System.nanoTime() + Invariants.SETTLE.toNanos();
        while (pages.stream().anyMatch(p -> !p.unconfirmed().isEmpty())) {
            assertThat(System.nanoTime()).as("every page's messages confirmed after resending").isLessThan(deadline);
            List<Integer> errorsBefore = pages.stream().map(p -> p.errors().size()).toList();
            pages.forEach(Page::resendUnconfirmed);
            Await.until(() -> {
                for (int i = 0; i < pages.size(); i++) {
                    Page page = pages.get(i);
                    if (!page.unconfirmed().isEmpty() && page.errors().size() == errorsBefore.get(i)) {
                        return null; // neither through nor refused yet
                    }
                }
                return true;
            }, "each resend to go through or be refused", Invariants.SETTLE);
        }
    }

    @Test
    void postgres_crashing_under_load_loses_nothing_acknowledged_and_the_nodes_recover_by_themselves() throws Exception {
        try (PrivatePostgres postgres = PrivatePostgres.start();
                Cluster cluster = new Cluster(Cluster.MACHINE_REDIS, postgres.createDatabase("chat"), postgres.jdbcUrl("chat"))) {
            cluster.startNode();
            cluster.startNode();
            for (int i = 0; i < 4; i++) {
                talk.add(new Page(ROOM, cluster.newVisitorCookie()).connect(cluster.node(i % 2)).joined());
            }
            for (int r = 0; r < 5; r++) {
                talk.round("a" + r);
            }

            talk.sayOnce("inflight"); // in flight when the server goes: stored or refused
            postgres.stopImmediately();
            List<Integer> errorsBefore = pages.stream().map(p -> p.errors().size()).toList();
            talk.sayOnce("down");
            for (int i = 0; i < pages.size(); i++) {
                Page page = pages.get(i);
                int errors = errorsBefore.get(i);
                Await.until(() -> page.errors().size() > errors ? true : null, "page " + i + " to be told its message was not sent",
                        OUTAGE_NOTICED);
                assertThat(page.errors().getLast()).startsWith(NOT_SENT);
                assertThat(page.unconfirmed()).as("what the page keeps to send again").containsValue("p" + i + "down");
            }
            cluster.awaitReadiness(503, OUTAGE_NOTICED);

            postgres.startServer();
            resendUntilConfirmed();
            cluster.awaitReadiness(200, Invariants.SETTLE);
            for (int r = 0; r < 5; r++) {
                talk.round("b" + r);
            }

            assertOneStory(cluster, ROOM, pages, talk.said);
            talk.close();
        }
    }
}
