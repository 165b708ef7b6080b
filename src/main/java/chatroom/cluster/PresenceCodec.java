package chatroom.cluster;

import chatroom.room.Author;
import chatroom.room.PresenceBoard.Change;
import chatroom.room.PresenceBoard.Rename;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The JSON the Redis presence board stores and publishes. An author is {@code {"id":…,"name":…,"tag":…}};
 * a change on a room's channel is one of {@code {"joined":AUTHOR}}, {@code {"left":AUTHOR}}, {@code
 * {"renamed":AUTHOR,"oldName":…}}, or {@code {}}: nothing to announce, but who is here has changed
 * (users put back after Redis lost them), so read it again. The Lua scripts build the first two from the stored author, so the
 * author is always written here and nowhere else.
 */
final class PresenceCodec {

    private static final JsonFactory JSON = new JsonFactory();

    private PresenceCodec() {}

    static String author(Author author) {
        return write(json -> writeAuthor(json, author));
    }

    static String renamed(Author author, String oldName) {
        return write(json -> {
            json.writeStartObject();
            json.writeFieldName("renamed");
            writeAuthor(json, author);
            json.writeStringField("oldName", oldName);
            json.writeEndObject();
        });
    }

    /** Reads an author; throws IllegalArgumentException naming what is wrong. */
    static Author readAuthor(String text) {
        try (JsonParser json = JSON.createParser(text)) {
            json.nextToken();
            return readAuthor(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("author is not JSON: " + e.getMessage());
        }
    }

    /** Reads a change from a room's channel; throws IllegalArgumentException naming what is wrong. */
    static Change readChange(String text) {
        try (JsonParser json = JSON.createParser(text)) {
            expect(json.nextToken() == JsonToken.START_OBJECT, "a change is a JSON object");
            Author joined = null, left = null, renamed = null;
            String oldName = null;
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                json.nextToken();
                switch (field) {
                    case "joined" -> joined = readAuthor(json);
                    case "left" -> left = readAuthor(json);
                    case "renamed" -> renamed = readAuthor(json);
                    case "oldName" -> oldName = json.getValueAsString();
                    default -> json.skipChildren();
                }
            }
            if (joined != null) {
                return Change.joined(joined);
            }
            if (left != null) {
                return Change.left(left);
            }
            if (renamed == null) {
                return new Change(List.of(), List.of(), List.of());
            }
            expect(oldName != null, "a rename has the old name");
            return new Change(List.of(), List.of(), List.of(new Rename(renamed, oldName)));
        } catch (IOException e) {
            throw new IllegalArgumentException("change is not JSON: " + e.getMessage());
        }
    }

    static Author readAuthor(JsonParser json) throws IOException {
        expect(json.currentToken() == JsonToken.START_OBJECT, "an author is a JSON object");
        String id = null, name = null, tag = null;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            json.nextToken();
            switch (field) {
                case "id" -> id = json.getValueAsString();
                case "name" -> name = json.getValueAsString();
                case "tag" -> tag = json.getValueAsString();
                default -> json.skipChildren();
            }
        }
        expect(id != null && name != null && tag != null, "an author has id, name and tag");
        return new Author(id, name, tag);
    }

    static void writeAuthor(JsonGenerator json, Author author) throws IOException {
        json.writeStartObject();
        json.writeStringField("id", author.id());
        json.writeStringField("name", author.name());
        json.writeStringField("tag", author.tag());
        json.writeEndObject();
    }

    private interface Writing {
        void to(JsonGenerator json) throws IOException;
    }

    private static String write(Writing writing) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            writing.to(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static void expect(boolean condition, String what) {
        if (!condition) {
            throw new IllegalArgumentException(what);
        }
    }
}
