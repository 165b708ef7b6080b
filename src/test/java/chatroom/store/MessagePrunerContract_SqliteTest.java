package chatroom.store;

import static chatroom.room.StoredMessages.messages;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.room.Message;
import chatroom.room.NewMessage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention on a real SQLite file, where the pruner and the writer take turns at one write lock. */
class MessagePrunerContract_SqliteTest extends MessagePrunerContract {

    @TempDir
    Path dir;

    @Override
    JdbcMessageStore openStore() {
        return JdbcMessageStore.openSqlite(dir.resolve("chat.db"));
    }

    /** One append the writer completed while the pruner was at work: how long it took, and where pruning stood. */
    private record Sent(long seq, Duration took, long oldestKeptAfter) {}

    @Test
    void messages_keep_being_accepted_while_a_large_prune_runs() throws Exception {
        int old = 200_000;
        JdbcMessageStore store = store();
        store.close();
        opened.clear();
        insertOldMessages(dir.resolve("chat.db"), "big", old, Instant.now().minus(Duration.ofDays(30)));
        JdbcMessageStore reopened = store();

        List<Sent> sent = new ArrayList<>();
        AtomicBoolean pruning = new AtomicBoolean(true);
        reopened.startPruning(Retention.of(Optional.of(Duration.ofDays(1)), 0, Duration.ofMillis(50)), Clock.systemUTC());
        Thread sender = Thread.ofPlatform().start(() -> {
            try {
                while (pruning.get()) {
                    long started = System.nanoTime();
                    Message m = messages(reopened).append(new NewMessage("big", "u2", "bob", "during", Instant.now()))
                            .get(30, TimeUnit.SECONDS);
                    Duration took = Duration.ofNanos(System.nanoTime() - started);
                    sent.add(new Sent(m.seq(), took, oldestSeq(reopened, "big")));
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        try {
            Await.until(() -> oldestSeq(reopened, "big") > old, "the " + old + " old messages pruned", Duration.ofMinutes(3));
        } finally {
            pruning.set(false);
            sender.join();
        }

        List<Sent> midway = sent.stream().filter(s -> s.oldestKeptAfter() > 1 && s.oldestKeptAfter() <= old).toList();
        assertThat(midway).as("messages accepted while the prune was half done").hasSizeGreaterThan(10);
        Duration slowest = sent.stream().map(Sent::took).max(Duration::compareTo).orElseThrow();
        System.out.printf("pruning %d rows: %d appends meanwhile, %d while it was half done, slowest %d ms%n",
                old, sent.size(), midway.size(), slowest.toMillis());
        // generous, for a loaded machine: "midway" above is what tells batches from one big delete
        assertThat(slowest).as("the slowest append during the prune").isLessThan(Duration.ofSeconds(5));
        assertThat(sent).extracting(Sent::seq).startsWith((long) old + 1).doesNotHaveDuplicates();
        assertThat(oldestSeq(reopened, "big")).isEqualTo(old + 1);
    }

    /** Old rows written straight into the file (faster than appends), with the room's counter to match. */
    private static void insertOldMessages(Path db, String room, int count, Instant sentAt) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            connection.setAutoCommit(false);
            try (PreparedStatement counter = connection.prepareStatement(
                    "INSERT INTO rooms (room, last_seq, last_active_us) VALUES (?, ?, ?)")) {
                counter.setString(1, room);
                counter.setLong(2, count);
                counter.setLong(3, sentAt.toEpochMilli() * 1_000);
                counter.executeUpdate();
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO messages (room, seq, author_id, author_name, text, sent_at_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
                for (int seq = 1; seq <= count; seq++) {
                    insert.setString(1, room);
                    insert.setLong(2, seq);
                    insert.setString(3, "u1");
                    insert.setString(4, "ann");
                    insert.setString(5, "old message " + seq);
                    insert.setLong(6, sentAt.toEpochMilli());
                    insert.addBatch();
                    if (seq % 10_000 == 0) insert.executeBatch();
                }
                insert.executeBatch();
            }
            connection.commit();
        }
    }
}
