package chatroom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code --log-format json}, as a log shipper reads it: every log line one JSON object. */
class LogFormatTest {

    /** A line in the text format: {@code 13:44:27.983 INFO …}. */
    private static final Pattern TEXT_LINE = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ");

    @Test
    void json_format_prints_one_object_per_line_with_level_logger_and_message_from_start_to_stop() throws Exception {
        Path dir = Files.createTempDirectory("chatroom-json-log");
        try (ChildServer server = ChildServer.start(dir, "--log-format", "json")) {
            server.terminate();
            List<String> output = Await.until(
                    () -> server.output().stream().anyMatch(line -> line.contains("\"stopped\"")) ? server.output() : null,
                    "the server to log that it stopped", () -> String.join("\n", server.output()));

            // the JVM itself may warn on stderr (not ours to format); every line of ours is JSON
            assertThat(output).noneMatch(line -> TEXT_LINE.matcher(line).find());
            List<Map<String, String>> logged = output.stream()
                    .filter(line -> line.startsWith("{"))
                    .map(LogFormatTest::fields)
                    .toList();
            assertThat(logged).allSatisfy(line -> assertThat(line).containsKeys("timestamp", "level", "loggerName",
                    "formattedMessage"));
            assertThat(logged).anySatisfy(line -> {
                assertThat(line.get("level")).isEqualTo("INFO");
                assertThat(line.get("loggerName")).isEqualTo("chatroom.Main");
                assertThat(line.get("formattedMessage")).startsWith("started: Chatroom ").contains(", embedded, SQLite ");
            });
            assertThat(logged).anySatisfy(line -> assertThat(line.get("formattedMessage")).startsWith("stopping: "));
            assertThat(logged).anySatisfy(line -> assertThat(line.get("formattedMessage")).isEqualTo("stopped"));
        }
    }

    /** The top-level fields of one JSON object (nested ones as their text); fails unless the line is exactly one object. */
    private static Map<String, String> fields(String line) {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser json = new JsonFactory().createParser(line)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new AssertionError("not a JSON object: " + line);
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String name = json.currentName();
                JsonToken value = json.nextToken();
                if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                    json.skipChildren();
                    fields.put(name, "(nested)");
                } else {
                    fields.put(name, json.getText());
                }
            }
            if (json.nextToken() != null) {
                throw new AssertionError("more than one JSON value on the line: " + line);
            }
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
        return fields;
    }
}
