package chatroom.store;

import static chatroom.room.StoredMessages.messages;
import static chatroom.store.MessageStoreContract.get;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.room.Message;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Accepted means stored, for the store on its own: kill -9 loses no message whose append had completed. A
 * child JVM ({@link AppendUntilKilled}) appends and reports each completed append; we SIGKILL it in full
 * flight, reopen the file, and look for every reported message.
 */
class JdbcMessageStoreKillTest {

    private static final int REPORTS_BEFORE_KILL = 5_000;

    @TempDir
    Path dir;

    private Process child;

    @AfterEach
    void killChild() {
        if (child != null) child.destroyForcibly();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void every_append_completed_before_kill_9_is_in_the_file_afterwards_with_no_gap() throws Exception {
        Path file = dir.resolve("chat.db");
        Path childErrors = dir.resolve("child-stderr.txt");
        child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        AppendUntilKilled.class.getName(),
                        file.toString())
                .redirectError(childErrors.toFile())
                .start();
        Map<String, Set<Long>> reported = new HashMap<>();
        var out = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8));

        int reports = 0;
        String line;
        while (reports < REPORTS_BEFORE_KILL && (line = out.readLine()) != null) {
            if (record(line, reported)) reports++;
        }
        assertThat(reports)
                .as("reports from the child before it died; see %s", childErrors)
                .isEqualTo(REPORTS_BEFORE_KILL);

        // SIGKILL: no shutdown hook, no close(), appends in flight. Through the handle, because
        // Process.destroyForcibly() would also close our end of the pipe.
        assertThat(child.toHandle().destroyForcibly()).isTrue();
        child.waitFor();
        // what the child printed before it died is still in the pipe: those appends were seen too
        while ((line = out.readLine()) != null) record(line, reported);

        try (var store = JdbcMessageStore.openSqlite(file)) {
            for (var room : reported.entrySet()) {
                List<Long> stored = get(messages(store).after(room.getKey(), 0, Integer.MAX_VALUE)).stream()
                        .map(Message::seq)
                        .toList();
                assertThat(stored).as("room %s", room.getKey()).containsAll(room.getValue());
                assertThat(stored)
                        .as("room %s is numbered without gaps", room.getKey())
                        .isEqualTo(LongStream.rangeClosed(1, stored.size()).boxed().toList());
            }
        }
    }

    /** Adds a complete "stored ROOM SEQ" line to what was reported; ignores anything else (a line cut by the kill). */
    private static boolean record(String line, Map<String, Set<Long>> reported) {
        String[] parts = line.split(" ");
        if (!line.startsWith(AppendUntilKilled.PREFIX) || parts.length != 3 || !parts[2].matches("\\d+")) return false;
        reported.computeIfAbsent(parts[1], r -> new TreeSet<>()).add(Long.parseLong(parts[2]));
        return true;
    }
}
