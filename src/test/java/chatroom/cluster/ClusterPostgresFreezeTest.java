package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.PrivatePostgres;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A node whose PostgreSQL stands still (SIGSTOP of every process of a private server: connections open,
 * nothing answered), which no error ever reports. The sender still hears "not sent" within the store
 * timeout, keeps its text, and its send again after the thaw, under the same id, is stored and shown once
 * even when the first attempt turned out to be stored after all.
 */
class ClusterPostgresFreezeTest {

    private static final String ROOM = "frozen";
    private static final Duration STORE_TIMEOUT = Duration.ofSeconds(3);
    /** The store timeout, and more for a loaded machine: without it the sender would wait for as long as the freeze. */
    private static final Duration TOLD_WITHIN = STORE_TIMEOUT.plusSeconds(12);

    @Test
    void a_sender_hears_not_sent_within_the_store_timeout_while_postgres_is_frozen_and_its_resend_is_stored_once()
            throws Exception {
        try (PrivatePostgres postgres = PrivatePostgres.start();
                Cluster cluster = new Cluster(Cluster.MACHINE_REDIS, postgres.createDatabase("chat"), postgres.jdbcUrl("chat"))) {
            cluster.startNode("--store-timeout", STORE_TIMEOUT.toSeconds() + "s");
            Page ann = new Page(ROOM, cluster.newVisitorCookie()).connect(cluster.node(0)).joined();
            Page bob = new Page(ROOM, cluster.newVisitorCookie()).connect(cluster.node(0)).joined();
            ann.say("before");
            bob.awaitShown(1);

            postgres.freeze();
            long sentNanos;
            try {
                sentNanos = System.nanoTime();
                ann.say("while frozen");
                Await.until(() -> !ann.errors().isEmpty() ? true : null,
                        "ann to be told her message was not sent", TOLD_WITHIN);
                Duration waited = Duration.ofNanos(System.nanoTime() - sentNanos);
                assertThat(waited).as("time until 'not sent'").isLessThan(TOLD_WITHIN);
                assertThat(ann.errors().getLast()).startsWith("Your message was not sent");
                assertThat(ann.unconfirmed()).as("what the page keeps to send again").containsValue("while frozen");
            } finally {
                postgres.thaw();
            }

            // the user sends it again (the page's Retry), under the same id, until it goes
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!ann.unconfirmed().isEmpty()) {
                assertThat(System.nanoTime()).as("the message stored after sending it again").isLessThan(deadline);
                int errors = ann.errors().size();
                ann.resendUnconfirmed();
                Await.until(() -> ann.unconfirmed().isEmpty() || ann.errors().size() > errors ? true : null,
                        "the resend to go through or be refused", Duration.ofSeconds(30));
            }
            ann.say("after");
            assertThat(bob.awaitShown(3)).extracting(Page.Shown::text).containsExactly("before", "while frozen", "after");
            assertThat(ann.awaitShown(3)).extracting(Page.Shown::text).containsExactly("before", "while frozen", "after");
            assertThat(cluster.rowsWithText(ROOM, "while frozen")).as("rows of the message sent twice").isEqualTo(1);
        }
    }
}
