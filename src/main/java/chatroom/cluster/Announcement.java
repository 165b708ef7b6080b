package chatroom.cluster;

import chatroom.room.Message;
import chatroom.room.RoomEvent;
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
 * What a node publishes on a room's channel: a committed event and the node that committed it (so that
 * node can skip its own copy, which it delivered locally already). Compact JSON with short keys, the
 * event's kind in {@code "k"}: a posted message is {@code {"k":"posted","n":node,"r":room,"s":seq,
 * "a":authorId,"u":authorName,"t":text,"at":sentAtMillis,"c":clientId}} ({@code "c"} only when the
 * sender's page gave one).
 *
 * <p>Rolling upgrades: unknown keys are skipped, so a newer node may add some; an announcement without
 * {@code "k"} is a posted message (as older nodes write them); one of a kind this node does not know
 * decodes to {@link Unknown}, which the feed skips (a newer node's event: this node reads what it can of
 * it from the store).
 */
sealed interface Announcement {

    String nodeId();

    /** A committed event of a kind this node knows. */
    record Of(String nodeId, RoomEvent event) implements Announcement {}

    /** An event of a kind this node does not know, from a newer node. */
    record Unknown(String nodeId, String kind, String room, long seq) implements Announcement {}

    String POSTED = "posted";

    JsonFactory JSON = new JsonFactory();

    static String encode(String nodeId, RoomEvent event) {
        return switch (event) {
            case RoomEvent.Posted posted -> encodePosted(nodeId, posted.message());
        };
    }

    private static String encodePosted(String nodeId, Message message) {
        StringWriter out = new StringWriter(110 + message.text().length());
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("k", POSTED);
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
        String kind = POSTED, node = null, room = null, authorId = null, authorName = null, text = null, clientId = null;
        long seq = -1, sentAt = Long.MIN_VALUE;
        try (JsonParser json = JSON.createParser(payload)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("announcement is not a JSON object");
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String key = json.currentName();
                JsonToken value = json.nextToken();
                switch (key) {
                    case "k" -> kind = json.getValueAsString();
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
        if (kind == null || node == null || room == null || seq < 1) {
            throw new IllegalArgumentException("announcement lacks one of k, n, r, s (≥ 1)");
        }
        if (!kind.equals(POSTED)) {
            return new Unknown(node, kind, room, seq);
        }
        if (authorId == null || authorName == null || text == null || sentAt == Long.MIN_VALUE) {
            throw new IllegalArgumentException("announcement of a posted message lacks one of a, u, t, at");
        }
        Message message = new Message(room, seq, authorId, authorName, text, Instant.ofEpochMilli(sentAt), clientId);
        return new Of(node, new RoomEvent.Posted(message));
    }
}
