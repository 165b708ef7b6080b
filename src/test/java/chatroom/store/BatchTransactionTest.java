package chatroom.store;

import static chatroom.store.MessageStoreContract.T0;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestDatabase;
import chatroom.room.Message;
import chatroom.room.NewMessage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One batch written directly, on both databases: the cases the store's queue cannot be made to batch
 * deterministically, such as a send and its retry in the same transaction.
 */
class BatchTransactionTest {

    @TempDir
    Path dir;

    @Test
    void on_sqlite_a_retry_in_the_same_batch_completes_with_the_first_and_spends_no_seq() throws Exception {
        Path file = dir.resolve("chat.db");
        SqliteStore.open(file).close(); // the schema
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            a_retry_in_the_same_batch_completes_with_the_first_and_spends_no_seq(Dialect.SQLITE, connection);
        }
    }

    @Test
    void on_postgresql_a_retry_in_the_same_batch_completes_with_the_first_and_spends_no_seq() throws Exception {
        try (var database = TestDatabase.create()) {
            JdbcMessageStore.openPostgres(database.url()).close(); // the schema
            try (Connection connection = database.connect()) {
                a_retry_in_the_same_batch_completes_with_the_first_and_spends_no_seq(Dialect.POSTGRESQL, connection);
            }
        }
    }

    private static void a_retry_in_the_same_batch_completes_with_the_first_and_spends_no_seq(
            Dialect dialect, Connection connection) throws Exception {
        var stored = new Pending(new NewMessage("lobby", "u-1", "Ann", "stored before", T0, "c-0"));
        new BatchTransaction(dialect, 0).write(connection, List.of(stored));
        List<Pending> batch = new ArrayList<>();
        batch.add(new Pending(new NewMessage("lobby", "u-1", "Ann", "first", T0, "c-1")));
        batch.add(new Pending(new NewMessage("other", "u-1", "Ann", "other room", T0, "c-1")));
        batch.add(new Pending(new NewMessage("lobby", "u-1", "Ann", "retry of first", T0, "c-1")));
        batch.add(new Pending(new NewMessage("lobby", "u-1", "Ann", "retry of stored", T0, "c-0")));
        batch.add(new Pending(new NewMessage("lobby", "u-1", "Ann", "plain", T0)));

        new BatchTransaction(dialect, 0).write(connection, batch);

        assertThat(batch.get(0).stored).isEqualTo(new Message("lobby", 2, "u-1", "Ann", "first", T0, "c-1"));
        assertThat(batch.get(1).stored.seq()).isEqualTo(1);
        assertThat(batch.get(2).stored).isEqualTo(batch.get(0).stored);
        assertThat(batch.get(3).stored).isEqualTo(stored.stored);
        assertThat(batch.get(4).stored.seq()).isEqualTo(3);
        assertThat(rows(connection, "SELECT seq || ' ' || text FROM messages WHERE room = 'lobby' ORDER BY seq"))
                .containsExactly("1 stored before", "2 first", "3 plain");
        assertThat(rows(connection, "SELECT last_seq FROM rooms WHERE room = 'lobby'")).containsExactly("3");
    }

    @Test
    void on_sqlite_a_failed_batch_leaves_nothing_for_the_next_on_the_same_connection() throws Exception {
        Path file = dir.resolve("chat.db");
        SqliteStore.open(file).close();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            a_failed_batch_leaves_nothing_for_the_next_on_the_same_connection(Dialect.SQLITE, connection);
        }
    }

    @Test
    void on_postgresql_a_failed_batch_leaves_nothing_for_the_next_on_the_same_connection() throws Exception {
        try (var database = TestDatabase.create()) {
            JdbcMessageStore.openPostgres(database.url()).close();
            try (Connection connection = database.connect()) {
                a_failed_batch_leaves_nothing_for_the_next_on_the_same_connection(Dialect.POSTGRESQL, connection);
            }
        }
    }

    /**
     * The writer keeps its statements from batch to batch: a batch that fails in the middle (here a text the
     * schema's CHECK refuses, which the store itself would have refused before queueing) must leave neither
     * rows nor queued inserts behind for the next batch on the same statements.
     */
    private static void a_failed_batch_leaves_nothing_for_the_next_on_the_same_connection(
            Dialect dialect, Connection connection) throws Exception {
        var transaction = new BatchTransaction(dialect, 0);
        List<Pending> failing = List.of(
                new Pending(new NewMessage("lobby", "u-1", "Ann", "fine", T0, "c-1")),
                new Pending(new NewMessage("lobby", "u-1", "Ann", "x".repeat(16_001), T0, "c-2")),
                new Pending(new NewMessage("lobby", "u-1", "Ann", "fine too", T0, "c-3")));
        try {
            transaction.write(connection, failing);
            throw new AssertionError("the batch with a text over the schema's limit was written");
        } catch (java.sql.SQLException expected) {
            connection.rollback(); // as the writer does before it drops the connection
        }

        List<Pending> next = List.of(
                new Pending(new NewMessage("lobby", "u-1", "Ann", "next", T0, "c-1")),
                new Pending(new NewMessage("lobby", "u-1", "Ann", "after it", T0, "c-4")));
        transaction.write(connection, next);

        assertThat(next.get(0).stored.seq()).isEqualTo(1);
        assertThat(next.get(1).stored.seq()).isEqualTo(2);
        assertThat(rows(connection, "SELECT seq || ' ' || text FROM messages WHERE room = 'lobby' ORDER BY seq"))
                .containsExactly("1 next", "2 after it");
        assertThat(rows(connection, "SELECT last_seq FROM rooms WHERE room = 'lobby'")).containsExactly("2");
    }

    private static List<String> rows(Connection connection, String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            while (result.next()) rows.add(result.getString(1));
        }
        return rows;
    }
}
