package chatroom;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.room.Message;
import chatroom.room.NewMessage;
import chatroom.store.JdbcMessageStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chatroom backup FILE}: a copy taken while a server takes messages is one consistent moment of the
 * database, and a server started on it (with the secret beside it, as docs/BACKUP.md says) has the history.
 */
class BackupTest {

    private static final Pattern COPIED = Pattern.compile("copied .* to .*: (\\d+) messages in (\\d+) rooms, [\\d,]+ bytes");
    private static final List<String> ROOMS = List.of("alpha", "beta", "gamma");

    @TempDir
    Path dir;

    @Test
    void a_backup_taken_while_messages_pour_in_is_consistent_and_a_server_started_on_it_has_the_history()
            throws Exception {
        Path live = dir.resolve("live");
        Path copy = dir.resolve("backups/chatroom-copy.db");
        Files.createDirectories(copy.getParent());
        ChildServer.Finished backup;
        try (ChildServer server = ChildServer.start(live, "--rate", "0")) {
            AtomicBoolean sending = new AtomicBoolean(true);
            List<Thread> senders = new ArrayList<>();
            List<WsClient> clients = new ArrayList<>();
            for (String room : ROOMS) {
                WsClient client = WsClient.connect(server.ws("/r/" + room + "/ws"));
                clients.add(client);
                senders.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; sending.get(); i++) {
                        try {
                            client.say(room + " " + i);
                            client.awaitMessages(i + 1); // one in flight per room: steady, not a flood
                        } catch (RuntimeException | AssertionError e) {
                            return; // the server is gone
                        }
                    }
                }));
            }
            WsClient watcher = clients.getFirst();
            Await.until(() -> watcher.messageTexts().size() >= 200 ? true : null, "200 messages before the backup",
                    Duration.ofSeconds(60));

            backup = ChildServer.run("backup", copy.toString(), "--db", live.resolve("chatroom.db").toString());

            int atBackup = watcher.messageTexts().size();
            Await.until(() -> watcher.messageTexts().size() >= atBackup + 100 ? true : null,
                    "the server still taking messages after the backup", Duration.ofSeconds(60));
            sending.set(false);
            for (Thread sender : senders) sender.join();
            clients.forEach(WsClient::close);
        }

        assertThat(backup.exitCode()).as(backup.err()).isZero();
        Matcher copied = COPIED.matcher(backup.out());
        assertThat(copied.find()).as(backup.out()).isTrue();
        assertThat(backup.out()).contains("chatroom.secret");
        Map<String, Long> lastSeqs = new HashMap<>();
        long total = 0;
        try (Connection backupDb = DriverManager.getConnection("jdbc:sqlite:" + copy);
                Connection liveDb = DriverManager.getConnection("jdbc:sqlite:" + live.resolve("chatroom.db"))) {
            for (String room : ROOMS) {
                long count = number(backupDb, "SELECT count(*) FROM messages WHERE room = '" + room + "'");
                long maxSeq = number(backupDb, "SELECT coalesce(max(seq), 0) FROM messages WHERE room = '" + room + "'");
                long lastSeq = number(backupDb, "SELECT last_seq FROM rooms WHERE room = '" + room + "'");
                assertThat(count).as("room %s: messages in the copy", room).isEqualTo(maxSeq).isEqualTo(lastSeq);
                assertThat(lastSeq).as("room %s: the server went on after the copy", room)
                        .isLessThan(number(liveDb, "SELECT last_seq FROM rooms WHERE room = '" + room + "'"));
                assertThat(texts(backupDb, room, lastSeq)).isEqualTo(texts(liveDb, room, lastSeq));
                lastSeqs.put(room, lastSeq);
                total += count;
            }
        }
        assertThat(Long.parseLong(copied.group(1))).isEqualTo(total);
        assertThat(copied.group(2)).isEqualTo("3");

        // restore, as docs/BACKUP.md says: the copy as the database, the secret beside it
        Path restored = dir.resolve("restored");
        Files.createDirectories(restored);
        Files.copy(copy, restored.resolve("chatroom.db"));
        Files.copy(live.resolve("chatroom.secret"), restored.resolve("chatroom.secret"));
        try (ChildServer server = ChildServer.start(restored);
                WsClient reader = WsClient.connect(server.ws("/r/alpha/ws"))) {
            long last = lastSeqs.get("alpha");
            reader.awaitMessages(50);
            assertThat(reader.seqs().getLast()).isEqualTo(last);
            reader.say("after the restore");
            assertThat(reader.awaitFrame(f -> f.contains("after the restore"))).contains("id=\"m-" + (last + 1) + "\"");
        }
    }

    @Test
    void a_backup_never_overwrites_a_file_unless_forced() throws Exception {
        try (TestServer server = TestServer.startIn(dir);
                WsClient ann = WsClient.connect(server.ws("/r/kept/ws"))) {
            ann.say("hello");
            ann.awaitMessages(1);
            Path existing = dir.resolve("precious.db");
            Files.writeString(existing, "not a backup");

            Run refused = backup(existing.toString(), "--db", dir.resolve("chatroom.db").toString());
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err()).contains(existing.toAbsolutePath() + " already exists", "--force");
            assertThat(Files.readString(existing)).isEqualTo("not a backup");

            Run forced = backup(existing.toString(), "--force", "--db", dir.resolve("chatroom.db").toString());
            assertThat(forced.exitCode()).as(forced.err()).isZero();
            assertThat(forced.out()).contains("1 messages in 1 rooms");
            assertThat(Files.exists(dir.resolve("precious.db.partial"))).isFalse();
        }
    }

    @Test
    void a_missing_database_is_named_and_not_created() {
        Path missing = dir.resolve("nothing-here.db");
        Run run = backup(dir.resolve("copy.db").toString(), "--db", missing.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(missing.toAbsolutePath() + " does not exist");
        assertThat(Files.exists(missing)).isFalse();
        assertThat(Files.exists(dir.resolve("copy.db"))).isFalse();
    }

    @Test
    void in_cluster_mode_it_points_to_pg_dump() {
        Run run = backup("cluster.dump", "--database", "postgresql://chat:hunter2@db.internal/chatroom");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("pg_dump --format=custom --file cluster.dump 'postgresql://chat:***@db.internal/chatroom'",
                        "pg_restore")
                .doesNotContain("hunter2");
    }

    @Test
    void a_cluster_database_comes_back_from_pg_dump_and_pg_restore_as_the_docs_say() throws Exception {
        Path dump = dir.resolve("chatroom.dump");
        try (TestDatabase original = TestDatabase.create();
                TestDatabase restored = TestDatabase.create()) {
            try (JdbcMessageStore store = JdbcMessageStore.openPostgres(original.url())) {
                for (int i = 1; i <= 3; i++) {
                    store.append(new NewMessage("general", "u1", "ann", "m" + i, Instant.now())).get(10, TimeUnit.SECONDS);
                }
                // taken while the store is open, as it would be while the nodes run
                tool("pg_dump", "--format=custom", "--file", dump.toString(), original.url());
            }
            tool("pg_restore", "--no-owner", "--dbname", restored.url(), dump.toString());

            try (JdbcMessageStore store = JdbcMessageStore.openPostgres(restored.url())) {
                assertThat(store.before("general", Long.MAX_VALUE, 10).get(10, TimeUnit.SECONDS))
                        .extracting(Message::text)
                        .containsExactly("m1", "m2", "m3");
                assertThat(store.append(new NewMessage("general", "u1", "ann", "m4", Instant.now()))
                                .get(10, TimeUnit.SECONDS)
                                .seq())
                        .isEqualTo(4);
            }
        }
    }

    private static void tool(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    }

    /** A command run in this JVM, for the cases where a separate process shows nothing more. */
    private record Run(int exitCode, String out, String err) {}

    private static Run backup(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new StoreCommands(new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8))
                .backup(args, Map.of());
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static long number(Connection db, String sql) throws Exception {
        try (Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static List<String> texts(Connection db, String room, long upToSeq) throws Exception {
        List<String> texts = new ArrayList<>();
        try (Statement statement = db.createStatement();
                ResultSet rows = statement.executeQuery("SELECT seq, text FROM messages WHERE room = '" + room
                        + "' AND seq <= " + upToSeq + " ORDER BY seq")) {
            while (rows.next()) texts.add(rows.getLong(1) + " " + rows.getString(2));
        }
        return texts;
    }
}
