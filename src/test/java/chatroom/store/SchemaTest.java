package chatroom.store;

import static chatroom.room.StoredMessages.messages;
import static chatroom.store.MessageStoreContract.T0;
import static chatroom.store.MessageStoreContract.get;
import static chatroom.store.MessageStoreContract.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import chatroom.room.Message;
import chatroom.room.NewDeletion;
import chatroom.room.NewEdit;
import chatroom.room.NewMessage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite file the store leaves: its schema, its pragmas, and the plans of the store's reads. */
class SchemaTest {

    @TempDir
    Path dir;

    @Test
    void reads_search_the_room_seq_index_instead_of_scanning() throws Exception {
        Path file = dir.resolve("chat.db");
        JdbcMessageStore.openSqlite(file).close();

        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            assertThat(plan(db, Sql.SELECT_BEFORE, "'lobby'", "10", "50"))
                    .contains("SEARCH m USING INDEX sqlite_autoindex_messages_1 (room=? AND seq<?)")
                    .doesNotContain("TEMP B-TREE");
            assertThat(plan(db, Sql.SELECT_AFTER, "'lobby'", "10", "50"))
                    .contains("SEARCH m USING INDEX sqlite_autoindex_messages_1 (room=? AND seq>?)")
                    .doesNotContain("TEMP B-TREE");
            assertThat(plan(db, Sql.SELECT_BY_CLIENT_ID, "'lobby'", "'u-1'", "'c-1'"))
                    .contains("SEARCH m USING INDEX messages_by_client_id (client_id=? AND room=? AND author_id=?)");
            assertThat(plan(db, Sql.SELECT_ACTIVE_ROOMS, "10"))
                    .contains("SCAN rooms USING INDEX rooms_by_last_active")
                    .doesNotContain("TEMP B-TREE");
        }
    }

    @Test
    void the_file_is_in_wal_mode() throws Exception {
        Path file = dir.resolve("chat.db");
        JdbcMessageStore.openSqlite(file).close();

        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement sql = db.createStatement();
                ResultSet mode = sql.executeQuery("PRAGMA journal_mode")) {
            mode.next();
            assertThat(mode.getString(1)).isEqualTo("wal");
        }
    }

    @Test
    void a_file_from_before_the_without_rowid_migration_keeps_its_messages_and_client_ids() throws Exception {
        Path file = fileWithTwoMessagesAtVersion("2");

        storeOpenedOnItKeepsTheMessagesAndClientIds(file);
    }

    @Test
    void a_file_with_the_without_rowid_table_keeps_its_messages_and_client_ids() throws Exception {
        Path file = fileWithTwoMessagesAtVersion("3");

        storeOpenedOnItKeepsTheMessagesAndClientIds(file);
        assertThat(column(file, "SELECT sql FROM sqlite_schema WHERE name = 'messages'"))
                .singleElement(STRING)
                .doesNotContainIgnoringCase("WITHOUT ROWID");
    }

    @Test
    void a_file_from_before_the_client_id_index_led_with_the_id_keeps_its_messages_and_client_ids() throws Exception {
        Path file = fileWithTwoMessagesAtVersion("4");

        storeOpenedOnItKeepsTheMessagesAndClientIds(file);
        assertThat(column(file, "SELECT name FROM pragma_index_info('messages_by_client_id') ORDER BY seqno"))
                .containsExactly("client_id", "room", "author_id");
    }

    @Test
    void a_file_from_before_messages_could_change_keeps_its_messages_and_takes_edits_and_deletions() throws Exception {
        Path file = fileWithTwoMessagesAtVersion("5");

        storeOpenedOnItKeepsTheMessagesAndClientIds(file);
        try (var store = SqliteStore.open(file)) {
            var edit = get(store.append(new NewEdit("lobby", 1, "u-1", "one, edited", T0, null)));
            var deletion = get(store.append(new NewDeletion("lobby", 2, "u-1", false, T0, null)));

            assertThat(List.of(edit.seq(), deletion.seq())).containsExactly(4L, 5L);
            assertThat(get(store.before("lobby", Long.MAX_VALUE, 10))).extracting(Message::text)
                    .containsExactly("one, edited", "", "three");
        }
    }

    @Test
    void a_file_from_before_accounts_upgrades_and_a_guest_who_keeps_their_name_keeps_their_messages() throws Exception {
        Path file = fileWithTwoMessagesAtVersion("8");
        try (var store = SqliteStore.open(file)) {
            assertThat(texts(get(messages(store).after("lobby", 0, 10)))).containsExactly("one", "two");
            get(store.accounts().claim(new chatroom.account.Account("u-1", "Ann", chatroom.account.Role.MEMBER),
                    chatroom.account.NameKey.of("Ann"), new chatroom.account.Passkey("k-1", "u-1", "AAAA", 0),
                    new chatroom.account.SignIn("s-1", "u-1", T0.toEpochMilli(), "test", "127.0.0.1")));
            assertThat(get(store.before("lobby", Long.MAX_VALUE, 10))).extracting(Message::authorId).containsOnly("u-1");
            assertThat(store.accounts().changedSince(0).accounts()).extracting(a -> a.account().userId()).containsExactly("u-1");
        }
    }

    @Test
    void a_deleted_message_s_text_is_not_left_anywhere_in_the_database_files() throws Exception {
        Path file = dir.resolve("secret.db");
        String secret = "the launch code is 7-4-1-9-zebra " + "and more words to fill a page ".repeat(40);
        try (var store = SqliteStore.open(file)) {
            Message said = get(messages(store).append(new NewMessage("lobby", "u-1", "Ann", secret, T0)));
            get(store.append(new NewEdit("lobby", said.seq(), "u-1", secret + " (edited)", T0, null)));
            for (int i = 0; i < 5; i++) get(messages(store).append(new NewMessage("lobby", "u-2", "Bob", "filler " + i, T0)));
            assertThat(filesOf(file)).as("the text is in the files before the deletion").anyMatch(bytes -> contains(bytes, secret));

            get(store.append(new NewDeletion("lobby", said.seq(), "u-1", false, T0, null)));
            // still open, as a running server's: the WAL held the page as it was, and is emptied soon after
            chatroom.Await.until(() -> filesOf(file).stream().noneMatch(bytes -> contains(bytes, "7-4-1-9-zebra")),
                    "the deleted text gone from the open database's files");
            get(messages(store).append(new NewMessage("lobby", "u-2", "Bob", "still writing", T0)));
            assertThat(texts(get(messages(store).after("lobby", 0, 10)))).contains("still writing").doesNotContain(secret);
        }
        // closed: the WAL is checkpointed into the file; whatever is left of either must not hold the text
        assertThat(filesOf(file)).noneMatch(bytes -> contains(bytes, secret));
        assertThat(filesOf(file)).noneMatch(bytes -> contains(bytes, "7-4-1-9-zebra"));
    }

    /** The database file and its -wal and -shm, those that exist. */
    private static List<byte[]> filesOf(Path file) {
        List<byte[]> all = new ArrayList<>();
        for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
            Path part = file.resolveSibling(file.getFileName() + suffix);
            try {
                if (java.nio.file.Files.exists(part)) all.add(java.nio.file.Files.readAllBytes(part));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return all;
    }

    private static boolean contains(byte[] haystack, String needle) {
        return new String(haystack, java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains(new String(needle.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /** A file migrated up to {@code version} only, holding messages 1 ("one", client id c-1) and 2 ("two"). */
    private Path fileWithTwoMessagesAtVersion(String version) throws SQLException {
        Path file = dir.resolve("chat.db");
        Flyway.configure()
                .dataSource("jdbc:sqlite:" + file, null, null)
                .locations(Dialect.SQLITE.migrationLocations())
                .target(version)
                .load()
                .migrate();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement sql = db.createStatement()) {
            sql.execute("INSERT INTO rooms VALUES ('lobby', 2, 1)");
            String columns = "INSERT INTO messages (room, seq, author_id, author_name, text, sent_at_ms, client_id) VALUES ";
            sql.execute(columns + "('lobby', 1, 'u-1', 'Ann', 'one', 1000, 'c-1')");
            sql.execute(columns + "('lobby', 2, 'u-1', 'Ann', 'two', 2000, NULL)");
        }
        return file;
    }

    private static void storeOpenedOnItKeepsTheMessagesAndClientIds(Path file) throws Exception {
        try (var store = SqliteStore.open(file)) {
            assertThat(texts(get(messages(store).after("lobby", 0, 10)))).containsExactly("one", "two");
            var retry = messages(store).append(new NewMessage("lobby", "u-1", "Ann", "one again", T0, "c-1"));
            var next = messages(store).append(new NewMessage("lobby", "u-1", "Ann", "three", T0));

            assertThat(get(retry).seq()).isEqualTo(1);
            assertThat(get(next).seq()).isEqualTo(3);
        }
    }

    /** The first column of every row {@code query} returns on {@code file}. */
    private static List<String> column(Path file, String query) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement sql = db.createStatement();
                ResultSet rows = sql.executeQuery(query)) {
            while (rows.next()) values.add(rows.getString(1));
        }
        return values;
    }

    /** EXPLAIN QUERY PLAN of the statement with its ? replaced by literals, one step per line. */
    private static String plan(Connection db, String sql, String... literals) throws SQLException {
        String bound = sql;
        for (String literal : literals) bound = bound.replaceFirst("\\?", literal);
        List<String> steps = new ArrayList<>();
        try (Statement statement = db.createStatement();
                ResultSet rows = statement.executeQuery("EXPLAIN QUERY PLAN " + bound)) {
            while (rows.next()) steps.add(rows.getString("detail"));
        }
        return String.join("\n", steps);
    }
}
