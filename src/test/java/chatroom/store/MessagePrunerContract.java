package chatroom.store;

import static chatroom.room.StoredMessages.messages;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.room.Message;
import chatroom.room.NewMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retention on a real database: what {@link MessagePruner} deletes, what it keeps, and that seqs are never
 * used twice. A subclass says which database.
 */
abstract class MessagePrunerContract {

    static final Duration OFTEN = Duration.ofMillis(100);
    static final Duration PRUNED_WITHIN = Duration.ofSeconds(60);

    final List<JdbcMessageStore> opened = new ArrayList<>();

    /** A fresh store; each call in one test opens the same database (where the database allows it). */
    abstract JdbcMessageStore openStore() throws Exception;

    void afterStoresClosed() {}

    @AfterEach
    void closeStores() {
        try {
            opened.forEach(JdbcMessageStore::close);
        } finally {
            afterStoresClosed();
        }
    }

    JdbcMessageStore store() throws Exception {
        JdbcMessageStore store = openStore();
        opened.add(store);
        return store;
    }

    @Test
    void messages_older_than_keep_are_deleted_and_the_next_message_gets_the_next_seq_never_a_used_one() throws Exception {
        JdbcMessageStore store = store();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        appendAll(store, "old", 2_500, now.minus(Duration.ofHours(2)));
        appendAll(store, "old", 5, now);
        appendAll(store, "fresh", 3, now);

        store.startPruning(Retention.of(Optional.of(Duration.ofHours(1)), 0, OFTEN), Clock.systemUTC());

        Await.until(() -> oldestSeq(store, "old") == 2_501, "the 2,500 old messages pruned", PRUNED_WITHIN);
        assertThat(texts(store, "old")).containsExactly("old 2500", "old 2501", "old 2502", "old 2503", "old 2504");
        assertThat(texts(store, "fresh")).containsExactly("fresh 0", "fresh 1", "fresh 2");
        Message next = messages(store).append(new NewMessage("old", "u1", "ann", "after the prune", Instant.now()))
                .get(10, TimeUnit.SECONDS);
        assertThat(next.seq()).isEqualTo(2_506);
        assertThat(store.lastSeqs(List.of("old", "fresh")).get(10, TimeUnit.SECONDS))
                .containsEntry("old", 2_506L)
                .containsEntry("fresh", 3L);
    }

    @Test
    void keep_per_room_keeps_the_newest_n_of_each_room_and_counting_goes_on() throws Exception {
        JdbcMessageStore store = store();
        Instant now = Instant.now();
        appendAll(store, "busy", 1_250, now);
        appendAll(store, "quiet", 30, now);

        store.startPruning(Retention.of(Optional.empty(), 100, OFTEN), Clock.systemUTC());

        Await.until(() -> oldestSeq(store, "busy") == 1_151, "busy pruned to its newest 100", PRUNED_WITHIN);
        assertThat(messages(store).after("busy", 0, 1_000).get(10, TimeUnit.SECONDS)).hasSize(100);
        assertThat(oldestSeq(store, "quiet")).isEqualTo(1);

        appendAll(store, "busy", 10, now);
        Await.until(() -> oldestSeq(store, "busy") == 1_161, "busy pruned again after 10 more", PRUNED_WITHIN);
        List<Message> kept = messages(store).after("busy", 0, 1_000).get(10, TimeUnit.SECONDS);
        assertThat(kept).hasSize(100);
        assertThat(kept.getLast().seq()).isEqualTo(1_260);
    }

    @Test
    void a_room_whose_messages_all_went_keeps_its_counter() throws Exception {
        JdbcMessageStore store = store();
        appendAll(store, "gone", 20, Instant.now().minus(Duration.ofDays(2)));

        store.startPruning(Retention.of(Optional.of(Duration.ofDays(1)), 0, OFTEN), Clock.systemUTC());

        Await.until(() -> oldestSeq(store, "gone") == 0, "every message of the room pruned", PRUNED_WITHIN);
        assertThat(store.lastSeqs(List.of("gone")).get(10, TimeUnit.SECONDS)).containsEntry("gone", 20L);
        assertThat(messages(store).append(new NewMessage("gone", "u1", "ann", "back", Instant.now()))
                        .get(10, TimeUnit.SECONDS)
                        .seq())
                .isEqualTo(21);
    }

    @Test
    void pruning_stops_at_the_first_message_it_keeps_so_the_kept_history_has_no_hole() throws Exception {
        JdbcMessageStore store = store();
        Instant old = Instant.now().minus(Duration.ofHours(3));
        appendAll(store, "skewed", 10, old);
        // a node whose clock was behind stored this one "earlier" than the ones around it
        messages(store).append(new NewMessage("skewed", "u1", "ann", "from a fast clock", Instant.now())).get(10, TimeUnit.SECONDS);
        appendAll(store, "skewed", 10, old);

        store.startPruning(Retention.of(Optional.of(Duration.ofHours(1)), 0, OFTEN), Clock.systemUTC());

        Await.until(() -> oldestSeq(store, "skewed") == 11, "the messages before the newer one pruned", PRUNED_WITHIN);
        assertThat(messages(store).after("skewed", 0, 100).get(10, TimeUnit.SECONDS)).extracting(Message::seq)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(11, 21).boxed().toList());
    }

    /** Appends {@code count} messages "ROOM i" sent at {@code sentAt}, all queued at once (group commit). */
    static void appendAll(JdbcMessageStore store, String room, int count, Instant sentAt) throws Exception {
        List<CompletableFuture<Message>> appends = new ArrayList<>();
        long already = store.lastSeqs(List.of(room)).get(10, TimeUnit.SECONDS).get(room);
        for (int i = 0; i < count; i++) {
            appends.add(messages(store).append(new NewMessage(room, "u1", "ann", room + " " + (already + i), sentAt)));
        }
        CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    /** The seq of the room's oldest stored message, 0 when it has none. */
    static long oldestSeq(JdbcMessageStore store, String room) {
        try {
            List<Message> first = messages(store).after(room, 0, 1).get(10, TimeUnit.SECONDS);
            return first.isEmpty() ? 0 : first.getFirst().seq();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static List<String> texts(JdbcMessageStore store, String room) throws Exception {
        return messages(store).after(room, 0, 10_000).get(10, TimeUnit.SECONDS).stream().map(Message::text).toList();
    }
}
