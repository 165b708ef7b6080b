package chatroom.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One process per SQLite file: a second server is refused at start-up, and a killed one leaves no lock. */
class SqliteFileLockTest {

    @TempDir
    Path dir;

    private Process child;

    @AfterEach
    void killChild() {
        if (child != null) child.destroyForcibly();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void a_file_another_process_has_open_is_refused_naming_it_until_that_process_is_killed() throws Exception {
        Path file = dir.resolve("chat.db");
        child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        AppendUntilKilled.class.getName(),
                        file.toString())
                .redirectError(dir.resolve("child-stderr.txt").toFile())
                .start();
        var out = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8));
        assertThat(out.readLine()).as("the child's first append").startsWith(AppendUntilKilled.PREFIX);

        assertThatThrownBy(() -> SqliteStore.open(file))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith(file + " is open in another process (pid " + child.pid() + ", holding "
                        + file + ".lock)");

        // SIGKILL: the kernel releases the lock with the process, no clean-up runs
        assertThat(child.toHandle().destroyForcibly()).isTrue();
        child.waitFor();
        try (var store = SqliteStore.open(file)) {
            assertThat(MessageStoreContract.get(store.lastSeqs(java.util.List.of("room-0"))).get("room-0"))
                    .isPositive();
        }
    }

    @Test
    void a_file_this_process_has_open_is_refused_and_free_again_once_closed() {
        Path file = dir.resolve("chat.db");
        try (var store = SqliteStore.open(file)) {
            assertThatThrownBy(() -> SqliteStore.open(file))
                    .isInstanceOf(StoreException.class)
                    .hasMessage(file + " is already open in this process (" + file + ".lock is locked)");
        }

        SqliteStore.open(file).close();
    }
}
