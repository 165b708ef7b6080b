package chatroom;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.room.NewMessage;
import chatroom.room.RoomName;
import chatroom.store.JdbcMessageStore;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code chatroom export ROOM}: a room's history as JSON lines, read from the database of a running server (SQLite)
 * or of a cluster (PostgreSQL), every text exactly as stored however hostile.
 */
class ExportTest {

    /** Texts that break naive JSON, HTML or line-based output; each survives the room's cleaning unchanged. */
    static final List<String> HOSTILE = List.of(
            "plain words",
            "\"quoted\" and \\back\\slashed\\",
            "</p><script>alert('x')</script> & &amp;",
            "two\nlines\tand a tab",
            "line separator \u2028 and paragraph separator \u2029 inside",
            "emoji 😀 and 中文 and é",
            "{\"seq\": 999, \"text\": \"forged\"}\n{\"seq\": 1000}");

    @Test
    void a_room_of_a_running_server_exports_as_json_lines_with_every_text_intact() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/hostile/ws"))) {
            for (String text : HOSTILE) ann.say(text);
            ann.awaitMessages(HOSTILE.size());

            ChildServer.Finished export =
                    ChildServer.run("export", "hostile", "--db", server.dir.resolve("chatroom.db").toString());

            assertThat(export.exitCode()).as(export.err()).isZero();
            List<Map<String, Object>> lines = jsonLines(export.out());
            assertThat(lines).hasSize(HOSTILE.size());
            for (int i = 0; i < lines.size(); i++) {
                Map<String, Object> line = lines.get(i);
                assertThat(line.keySet()).containsExactly("seq", "time", "authorId", "authorName", "text");
                assertThat(line.get("seq")).isEqualTo((long) i + 1);
                assertThat(line.get("text")).isEqualTo(HOSTILE.get(i));
                assertThat(Instant.parse((String) line.get("time"))).isBetween(Instant.now().minusSeconds(600), Instant.now());
                assertThat((String) line.get("time")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
                assertThat(line.get("authorId")).isEqualTo(lines.getFirst().get("authorId")).isNotEqualTo("");
                assertThat(line.get("authorName")).isEqualTo(lines.getFirst().get("authorName")).isNotEqualTo("");
            }

            ChildServer.Finished after = ChildServer.run(
                    "export", "HOSTILE", "--after", "5", "--db", server.dir.resolve("chatroom.db").toString());
            assertThat(jsonLines(after.out())).extracting(line -> line.get("seq")).containsExactly(6L, 7L);
        }
    }

    @Test
    void edits_and_deletions_are_exported_as_events_in_seq_order_and_a_deleted_text_is_in_none_of_the_lines() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/changed/ws"))) {
            ann.say("first draft");
            ann.say("stays");
            ann.awaitMessages(2);
            ann.send("{\"edit\": 1, \"text\": \"second draft\"}");
            ann.send("{\"edit\": 2, \"text\": \"stays, edited\"}");
            ann.send("{\"delete\": 1}");
            ann.awaitFrame(f -> f.contains("innerHTML:#m-1") && f.contains("message deleted"));

            ChildServer.Finished export =
                    ChildServer.run("export", "changed", "--db", server.dir.resolve("chatroom.db").toString());

            assertThat(export.exitCode()).as(export.err()).isZero();
            assertThat(export.out()).doesNotContain("first draft").doesNotContain("second draft");
            List<Map<String, Object>> lines = jsonLines(export.out());
            assertThat(lines).extracting(line -> line.get("seq")).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(lines.get(0)).containsEntry("text", "").containsKey("deleted").containsKey("edited");
            assertThat(lines.get(1)).containsEntry("text", "stays, edited").containsKey("edited").doesNotContainKey("deleted");
            assertThat(lines.get(2)).containsEntry("kind", "edit").containsEntry("target", 1L).doesNotContainKey("text");
            assertThat(lines.get(3)).containsEntry("kind", "edit").containsEntry("target", 2L).containsEntry("text", "stays, edited");
            assertThat(lines.get(4)).containsEntry("kind", "delete").containsEntry("target", 1L)
                    .containsEntry("authorId", lines.get(0).get("authorId"));
        }
    }

    @Test
    void an_unknown_room_is_an_error_with_nothing_on_standard_output() throws Exception {
        try (TestServer server = TestServer.start()) {
            ChildServer.Finished export =
                    ChildServer.run("export", "nosuch", "--db", server.dir.resolve("chatroom.db").toString());

            assertThat(export.exitCode()).isEqualTo(1);
            assertThat(export.err()).contains("room nosuch has no messages in this database");
            assertThat(export.out()).isEmpty();
        }
    }

    @Test
    void a_cluster_database_exports_a_private_room_by_its_id_with_each_authors_name_at_the_time() throws Exception {
        try (TestDatabase database = TestDatabase.create()) {
            String room = RoomName.newPrivate().value();
            Instant t0 = Instant.parse("2030-01-02T03:04:05.006Z");
            try (JdbcMessageStore store = JdbcMessageStore.openPostgres(database.url())) {
                for (int i = 0; i < HOSTILE.size(); i++) {
                    String name = i < 3 ? "ann" : "ann the renamed";
                    store.append(new NewMessage(room, "user-1", name, HOSTILE.get(i), t0.plusSeconds(i)))
                            .get(10, TimeUnit.SECONDS);
                }
                store.append(new NewMessage("general", "user-2", "bob", "elsewhere", t0)).get(10, TimeUnit.SECONDS);

                ChildServer.Finished export = ChildServer.run("export", room, "--database", database.url());

                assertThat(export.exitCode()).as(export.err()).isZero();
                List<Map<String, Object>> lines = jsonLines(export.out());
                assertThat(lines).extracting(line -> line.get("text")).containsExactlyElementsOf(HOSTILE);
                assertThat(lines.getFirst()).containsEntry("time", "2030-01-02T03:04:05.006Z")
                        .containsEntry("authorId", "user-1")
                        .containsEntry("authorName", "ann");
                assertThat(lines.getLast()).containsEntry("time", "2030-01-02T03:04:11.006Z")
                        .containsEntry("authorName", "ann the renamed");

                String unused = RoomName.newPrivate().value();
                ChildServer.Finished unknown = ChildServer.run("export", unused, "--database", database.url());
                assertThat(unknown.exitCode()).isEqualTo(1);
                assertThat(unknown.err()).contains("room " + unused + " has no messages");
                ChildServer.Finished invalid = ChildServer.run("export", "~bad id", "--database", database.url());
                assertThat(invalid.exitCode()).isEqualTo(2);
                assertThat(invalid.err()).contains("room name must be", "usage:");
            }
        }
    }

    /** Each line of {@code out} as one JSON object, its fields in order; fails on anything else. */
    static List<Map<String, Object>> jsonLines(String out) throws Exception {
        List<Map<String, Object>> lines = new ArrayList<>();
        JsonFactory json = new JsonFactory();
        for (String line : out.split("\n", -1)) {
            if (line.isEmpty()) continue;
            try (JsonParser parser = json.createParser(line)) {
                assertThat(parser.nextToken()).as(line).isEqualTo(JsonToken.START_OBJECT);
                Map<String, Object> fields = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken value = parser.nextToken();
                    fields.put(name, value == JsonToken.VALUE_NUMBER_INT ? (Object) parser.getLongValue() : parser.getText());
                }
                assertThat(parser.nextToken()).as("one object per line: %s", line).isNull();
                lines.add(fields);
            }
        }
        assertThat(out).as("JSON lines end with a line break").endsWith("\n");
        return lines;
    }
}
