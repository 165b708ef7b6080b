package chatroom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatroom.store.SqliteStore;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/**
 * {@code chatroom backup FILE} aimed at a database a server is using — its own file under any spelling, a
 * link to it, its write-ahead log, or another server's database — is refused whatever the flags, and the
 * server it would have destroyed goes on storing, serving and restarting with every message.
 */
class BackupOntoLiveDatabaseTest {

    @TempDir
    Path dir;

    @Test
    void every_name_of_the_live_database_or_its_companion_files_is_refused_even_with_force() throws Exception {
        Path live = dir.resolve("chatroom.db");
        List<String> said = new ArrayList<>();
        try (ChildServer server = ChildServer.start(dir);
                WsClient ann = WsClient.connect(server.ws("/r/kept/ws"))) {
            for (int i = 1; i <= 3; i++) {
                said.add("before " + i);
                ann.say("before " + i);
            }
            ann.awaitMessages(3);
            assertThat(Files.exists(dir.resolve("chatroom.db-wal"))).as("the server's WAL").isTrue();

            Path symlink = Files.createSymbolicLink(dir.resolve("via-symlink.db"), live);
            Path hardLink = Files.createLink(dir.resolve("via-hard-link.db"), live);
            Path linkedDir = Files.createSymbolicLink(dir.resolve("linked-dir"), dir);
            Files.createDirectories(dir.resolve("sub"));
            Map<String, Path> names = new LinkedHashMap<>();
            names.put("the same path", live);
            names.put("a ./ spelling", dir.resolve(".").resolve("chatroom.db"));
            names.put("a ../ spelling", dir.resolve("sub/../chatroom.db"));
            names.put("a relative path", Path.of("").toAbsolutePath().relativize(live));
            names.put("a symlink to it", symlink);
            names.put("a hard link to it", hardLink);
            names.put("its name inside a symlinked directory", linkedDir.resolve("chatroom.db"));
            names.put("its -wal", dir.resolve("chatroom.db-wal"));
            names.put("its -shm", dir.resolve("chatroom.db-shm"));
            names.put("its lock file", dir.resolve("chatroom.db.lock"));
            for (Map.Entry<String, Path> name : names.entrySet()) {
                Run refused = backup(name.getValue().toString(), "--force", "--db", live.toString());
                assertThat(refused.exitCode()).as(name.getKey() + ": " + refused.err()).isEqualTo(1);
                assertThat(refused.err())
                        .as(name.getKey())
                        .startsWith("chatroom: " + name.getValue().toAbsolutePath() + " ")
                        .contains(live.toAbsolutePath().toString(), "refused")
                        .doesNotContain("--force");
                assertThat(refused.err().strip().lines()).as(name.getKey() + ": one line").hasSize(1);
                assertThat(refused.out()).as(name.getKey()).isEmpty();
            }
            assertThat(Files.isSymbolicLink(symlink)).isTrue();

            assertThat(integrityCheck(live)).isEqualTo("ok");
            said.add("after the refusals");
            ann.say("after the refusals");
            ann.awaitMessages(4);
            try (WsClient reader = WsClient.connect(server.ws("/r/kept/ws"))) {
                assertThat(reader.awaitMessages(4)).containsExactlyElementsOf(said);
            }
            server.terminate();
            server.awaitExit();
        }
        assertThat(integrityCheck(live)).isEqualTo("ok");

        try (ChildServer restarted = ChildServer.start(dir)) {
            HttpResponse<String> page = restarted.get("/r/kept");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains(said);
        }
    }

    @Test
    void a_database_another_running_server_holds_is_refused_and_that_server_goes_on() throws Exception {
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        Files.createDirectories(first);
        Files.createDirectories(second);
        Path secondDb = second.resolve("chatroom.db");
        try (ChildServer source = ChildServer.start(first);
                ChildServer other = ChildServer.start(second);
                WsClient ann = WsClient.connect(other.ws("/r/other/ws"))) {
            ann.say("kept");
            ann.awaitMessages(1);

            Run refused = backup(secondDb.toString(), "--force", "--db", first.resolve("chatroom.db").toString());

            assertThat(refused.exitCode()).as(refused.err()).isEqualTo(1);
            assertThat(refused.err())
                    .startsWith("chatroom: " + secondDb.toAbsolutePath() + " is open in a server")
                    .contains("refused")
                    .doesNotContain("--force");
            assertThat(integrityCheck(secondDb)).isEqualTo("ok");
            ann.say("after");
            try (WsClient reader = WsClient.connect(other.ws("/r/other/ws"))) {
                assertThat(reader.awaitMessages(2)).containsExactly("kept", "after");
            }
            other.terminate();
            other.awaitExit();
        }
        try (ChildServer restarted = ChildServer.start(second)) {
            HttpResponse<String> page = restarted.get("/r/other");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("kept", "after");
        }
    }

    @Test
    void a_database_a_server_in_this_process_holds_is_refused_and_keeps_its_lock() throws Exception {
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        try (TestServer source = TestServer.startIn(first);
                TestServer other = TestServer.startIn(second)) {
            Path secondDb = second.resolve("chatroom.db");

            Run refused = backup(secondDb.toString(), "--force", "--db", first.resolve("chatroom.db").toString());

            assertThat(refused.exitCode()).as(refused.err()).isEqualTo(1);
            assertThat(refused.err())
                    .startsWith("chatroom: " + secondDb.toAbsolutePath() + " is open in a server (this process")
                    .doesNotContain("--force");
            // looking must not have dropped the server's lock (closing any descriptor of the lock file would):
            // a server in another process is still refused the file
            assertThatThrownBy(() -> ChildServer.start(second)).hasMessageContaining("exited before it was running");
        }
    }

    @Test
    void a_forced_backup_over_an_old_backup_replaces_it_while_the_server_runs() throws Exception {
        Path live = dir.resolve("chatroom.db");
        Path old = dir.resolve("backups/chatroom-yesterday.db");
        Files.createDirectories(old.getParent());
        try (ChildServer server = ChildServer.start(dir);
                WsClient ann = WsClient.connect(server.ws("/r/kept/ws"))) {
            ann.say("one");
            ann.awaitMessages(1);
            Run yesterday = backup(old.toString(), "--db", live.toString());
            assertThat(yesterday.exitCode()).as(yesterday.err()).isZero();
            ann.say("two");
            ann.awaitMessages(2);

            Run forced = backup(old.toString(), "--force", "--db", live.toString());

            assertThat(forced.exitCode()).as(forced.err()).isZero();
            assertThat(forced.out()).contains("2 messages in 1 rooms");
            assertThat(integrityCheck(old)).isEqualTo("ok");
            assertThat(Files.exists(old.resolveSibling("chatroom-yesterday.db.lock"))).isFalse();
        }
    }

    @Test
    void a_target_with_a_write_ahead_log_beside_it_is_refused_since_sqlite_would_replay_it_into_the_copy()
            throws Exception {
        Path live = dir.resolve("chatroom.db");
        Path target = dir.resolve("crashed/chatroom.db");
        Files.createDirectories(target.getParent());
        Files.writeString(target, "a database whose server was killed");
        Files.writeString(target.resolveSibling("chatroom.db-wal"), "its log");
        try (ChildServer server = ChildServer.start(dir);
                WsClient ann = WsClient.connect(server.ws("/r/kept/ws"))) {
            ann.say("one");
            ann.awaitMessages(1);

            Run refused = backup(target.toString(), "--force", "--db", live.toString());

            assertThat(refused.exitCode()).as(refused.err()).isEqualTo(1);
            assertThat(refused.err())
                    .startsWith("chatroom: " + target.toAbsolutePath() + " has a write-ahead log beside it")
                    .doesNotContain("--force");
            assertThat(Files.readString(target)).isEqualTo("a database whose server was killed");
        }
    }

    @Test
    void a_target_whose_partial_file_would_be_the_database_is_refused_and_the_database_kept() throws Exception {
        Path db = dir.resolve("chatroom.db.partial");
        SqliteStore.open(db).close();
        long size = Files.size(db);

        Run refused = backup(dir.resolve("chatroom.db").toString(), "--db", db.toString());

        assertThat(refused.exitCode()).as(refused.err()).isEqualTo(1);
        assertThat(refused.err())
                .startsWith("chatroom: " + dir.resolve("chatroom.db").toAbsolutePath() + ": the copy is written first to ")
                .contains("which is the database being backed up")
                .doesNotContain("--force");
        assertThat(Files.size(db)).isEqualTo(size);
        assertThat(integrityCheck(db)).isEqualTo("ok");
    }

    /** A command run in this JVM, beside servers in their own processes (as an operator's shell would be). */
    private record Run(int exitCode, String out, String err) {}

    private static Run backup(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new StoreCommands(new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8))
                .backup(args, Map.of());
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** SQLite's own verdict on the file, read-only so that the check itself changes nothing. */
    private static String integrityCheck(Path db) throws Exception {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        try (Connection connection = config.createConnection("jdbc:sqlite:" + db);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("PRAGMA integrity_check")) {
            StringBuilder verdict = new StringBuilder();
            while (rows.next()) verdict.append(verdict.isEmpty() ? "" : "; ").append(rows.getString(1));
            return verdict.toString();
        }
    }
}
