package chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.store.JdbcMessageStore;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's store scenario runs and reports; the figure itself is the benchmark's business. */
class StoreThroughputTest {

    @TempDir
    Path dir;

    @Test
    void a_small_run_stores_every_message_and_reports_one_line_of_json() throws Exception {
        var result = StoreThroughput.run(dir.resolve("bench.db"), 10, 5_000, 100, true);

        assertThat(result.failures()).isZero();
        assertThat(result.messagesPerSecond()).isPositive();
        assertThat(result.cpuMicrosPerMessage()).isPositive();
        assertThat(result.p50AppendMicros()).isLessThanOrEqualTo(result.p99AppendMicros());
        assertThat(result.toJson())
                .startsWith("{\"scenario\":\"store\",\"rooms\":10,\"warmupMessages\":0,\"messages\":5000,\"textChars\":100,")
                .contains("\"clientIds\":true", "\"messagesPerSecond\":", "\"cpuMicrosPerMessage\":", "\"p50AppendMicros\":", "\"p99AppendMicros\":")
                .endsWith("}")
                .doesNotContain("\n");
        try (var store = JdbcMessageStore.openSqlite(dir.resolve("bench.db"))) {
            assertThat(store.after("room-3", 0, 10_000).get(10, TimeUnit.SECONDS)).hasSize(500);
        }
    }

    @Test
    void the_warmup_is_stored_first_and_left_out_of_the_figures() throws Exception {
        var result = StoreThroughput.run(dir.resolve("warm.db"), 10, 3_000, 2_000, 100, true, false,
                chatroom.store.SqliteStore.Options.defaults(), JdbcMessageStore.Settings.defaults(), 1024);

        assertThat(result.failures()).isZero();
        assertThat(result.toJson()).contains("\"warmupMessages\":3000,\"messages\":2000,");
        try (var store = JdbcMessageStore.openSqlite(dir.resolve("warm.db"))) {
            // both phases, each once: 500 per room, numbered without a gap
            var room = store.after("room-3", 0, 10_000).get(10, TimeUnit.SECONDS);
            assertThat(room).hasSize(500);
            assertThat(room.getLast().seq()).isEqualTo(500);
        }
    }

    @Test
    void the_mix_of_changes_stores_every_event_with_none_refused() throws Exception {
        var result = StoreThroughput.run(dir.resolve("mix.db"), 10, 2_000, 2_000, 100, false, true,
                chatroom.store.SqliteStore.Options.defaults(), JdbcMessageStore.Settings.defaults(), 1024);

        assertThat(result.failures()).as("no change was refused").isZero();
        try (var store = JdbcMessageStore.openSqlite(dir.resolve("mix.db"))) {
            var room = store.after("room-3", 0, 10_000).get(10, TimeUnit.SECONDS);
            assertThat(room).hasSize(400);
            assertThat(room.stream().filter(e -> e instanceof chatroom.room.RoomEvent.Posted)).hasSize(320);
            assertThat(room.stream().filter(e -> e instanceof chatroom.room.RoomEvent.Reacted)).hasSize(40);
            assertThat(room.stream().filter(e -> e instanceof chatroom.room.RoomEvent.Edited)).hasSize(20);
            assertThat(room.stream().filter(e -> e instanceof chatroom.room.RoomEvent.Deleted)).hasSize(20);
        }
    }
}
