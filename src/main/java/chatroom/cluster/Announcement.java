package chatroom.cluster;

import chatroom.room.Message;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * What a node publishes on a room's channel: the committed message and the node that committed it (so
 * that node can skip its own copy, which it delivered locally already). Compact JSON with one-letter
 * keys: {@code {"n":node,"r":room,"s":seq,"a":authorId,"u":authorName,"t":text,"at":sentAtMillis,"c":clientId}}
 * ({@code "c"} only when the sender's page gave one).
 * Unknown keys are skipped, so a newer node may add some without breaking older ones mid-upgrade.
 */
record Announcement(String nodeId, Message message) {

    private static final JsonFactory JSON = new JsonFactory();

    String encode() {
        StringWriter out = new StringWriter(96 + message.text().length());
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("n", nodeId);
            json.writeStringField("r", message.room());
            json.writeNumberField("s", message.seq());
            json.writeStringField("a", message.authorId());
            json.writeStringField("u", message.authorName());
            json.writeStringField("t", message.text());
            json.writeNumberField("at", message.sentAt().toEpochMilli());
            if (message.clientId() != null) {
                json.writeStringField("c", message.clientId());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        return out.toString();
    }

    /** Decodes what {@link #encode} wrote; throws {@link IllegalArgumentException} naming what is wrong. */
    static Announcement decode(String payload) {
        String node = null, room = null, authorId = null, authorName = null, text = null, clientId = null;
        long seq = -1, sentAt = Long.MIN_VALUE;
        try (JsonParser json = JSON.createParser(payload)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("announcement is not a JSON object");
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String key = json.currentName();
                JsonToken value = json.nextToken();
                switch (key) {
                    case "n" -> node = json.getValueAsString();
                    case "r" -> room = json.getValueAsString();
                    case "s" -> seq = value == JsonToken.VALUE_NUMBER_INT ? json.getLongValue() : -1;
                    case "a" -> authorId = json.getValueAsString();
                    case "u" -> authorName = json.getValueAsString();
                    case "t" -> text = json.getValueAsString();
                    case "at" -> sentAt = value == JsonToken.VALUE_NUMBER_INT ? json.getLongValue() : Long.MIN_VALUE;
                    case "c" -> clientId = json.getValueAsString();
                    default -> json.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("announcement is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("announcement is unreadable: " + e.getMessage());
        }
        if (node == null || room == null || seq < 1 || authorId == null || authorName == null || text == null
                || sentAt == Long.MIN_VALUE) {
            throw new IllegalArgumentException("announcement lacks one of n, r, s (≥ 1), a, u, t, at");
        }
        return new Announcement(node, new Message(room, seq, authorId, authorName, text, Instant.ofEpochMilli(sentAt), clientId));
    }
}
