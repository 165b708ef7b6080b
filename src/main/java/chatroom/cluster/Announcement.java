package chatroom.cluster;

import chatroom.room.Author;
import chatroom.room.Message;
import chatroom.room.PresenceBoard;
import chatroom.room.Quote;
import chatroom.room.Reaction;
import chatroom.room.RoomEvent;
import chatroom.room.Signal;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a node publishes on a room's channel: a committed event and the node that committed it (so that
 * node can skip its own copy, which it delivered locally already). Compact JSON with short keys, the
 * event's kind in {@code "k"}: a posted message is {@code {"k":"posted","n":node,"r":room,"s":seq,
 * "a":authorId,"u":authorName,"t":text,"at":sentAtMillis,"c":clientId}} ({@code "c"} only when the
 * sender's page gave one). A change to a message is {@code "k":"edited"} or {@code "k":"deleted"} with the
 * same fields for the message as it became, {@code "s"} the change's seq and {@code "ts"} the message's,
 * {@code "ed"} / {@code "dl"} when it was last edited / deleted, {@code "by"} who deleted it. A reaction added
 * or taken back is {@code "k":"reacted"} / {@code "k":"unreacted"} with {@code "by"} who and {@code "e"} the
 * emoji. Every message carries what it quotes, if it is a reply ({@code "q":{"s":seq,"u":author,"t":excerpt}},
 * {@code "d":true} once that one is deleted), and its reactions ({@code "x":[[emoji,userId,userName]…]}). A signal names its room and no seq: who joined, left or was renamed is {@code
 * {"k":"presence","n":node,"r":room,"j":[AUTHOR…],"l":[AUTHOR…],"m":[{"user":AUTHOR,"old":oldName}…]}}, an
 * author written as the presence board writes it ({@link PresenceCodec}). Someone typing is {@code
 * {"k":"typing","n":node,"r":room,"w":AUTHOR}}.
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

    /** A signal of a kind this node knows, for a room. */
    record Signalled(String nodeId, String room, Signal signal) implements Announcement {}

    /** An event or signal of a kind this node does not know, from a newer node; {@code seq} is 0 for a signal. */
    record Unknown(String nodeId, String kind, String room, long seq) implements Announcement {}

    String POSTED = "posted";
    String EDITED = "edited";
    String DELETED = "deleted";
    String REACTED = "reacted";
    String UNREACTED = "unreacted";
    String PRESENCE = "presence";
    String TYPING = "typing";

    JsonFactory JSON = new JsonFactory();

    static String encode(String nodeId, RoomEvent event) {
        return switch (event) {
            case RoomEvent.Posted posted -> encodeMessage(nodeId, POSTED, posted.seq(), posted.message(), null, null);
            case RoomEvent.Edited edited -> encodeMessage(nodeId, EDITED, edited.seq(), edited.message(), null, null);
            case RoomEvent.Deleted deleted -> encodeMessage(nodeId, DELETED, deleted.seq(), deleted.message(), deleted.byId(), null);
            case RoomEvent.Reacted reacted ->
                    encodeMessage(nodeId, REACTED, reacted.seq(), reacted.message(), reacted.byId(), reacted.emoji());
            case RoomEvent.Unreacted unreacted ->
                    encodeMessage(nodeId, UNREACTED, unreacted.seq(), unreacted.message(), unreacted.byId(), unreacted.emoji());
        };
    }

    static String encode(String nodeId, String room, Signal signal) {
        return switch (signal) {
            case Signal.Presence presence -> encodePresence(nodeId, room, presence.change());
            case Signal.Typing typing -> encodeTyping(nodeId, room, typing.who());
        };
    }

    private static String encodeTyping(String nodeId, String room, Author who) {
        return signal(TYPING, nodeId, room, 100, json -> {
            json.writeFieldName("w");
            PresenceCodec.writeAuthor(json, who);
        });
    }

    /** The fields of one kind of signal, after its kind, node and room. */
    interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    /** A signal's JSON: its kind, node and room, then its own fields. */
    private static String signal(String kind, String nodeId, String room, int sizeHint, Fields fields) {
        StringWriter out = new StringWriter(sizeHint);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("k", kind);
            json.writeStringField("n", nodeId);
            json.writeStringField("r", room);
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        return out.toString();
    }

    private static String encodePresence(String nodeId, String room, PresenceBoard.Change change) {
        return signal(PRESENCE, nodeId, room, 160, json -> {
            writeAuthors(json, "j", change.joined());
            writeAuthors(json, "l", change.left());
            json.writeArrayFieldStart("m");
            for (PresenceBoard.Rename rename : change.renamed()) {
                json.writeStartObject();
                json.writeFieldName("user");
                PresenceCodec.writeAuthor(json, rename.user());
                json.writeStringField("old", rename.oldName());
                json.writeEndObject();
            }
            json.writeEndArray();
        });
    }

    private static void writeAuthors(JsonGenerator json, String field, List<Author> authors) throws IOException {
        json.writeArrayFieldStart(field);
        for (Author author : authors) {
            PresenceCodec.writeAuthor(json, author);
        }
        json.writeEndArray();
    }

    private static List<Author> readAuthors(JsonParser json) throws IOException {
        expectArray(json);
        List<Author> authors = new ArrayList<>();
        while (json.nextToken() == JsonToken.START_OBJECT) {
            authors.add(PresenceCodec.readAuthor(json));
        }
        return authors;
    }

    private static List<PresenceBoard.Rename> readRenames(JsonParser json) throws IOException {
        expectArray(json);
        List<PresenceBoard.Rename> renames = new ArrayList<>();
        while (json.nextToken() == JsonToken.START_OBJECT) {
            Author user = null;
            String old = null;
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String key = json.currentName();
                json.nextToken();
                switch (key) {
                    case "user" -> user = PresenceCodec.readAuthor(json);
                    case "old" -> old = json.getValueAsString();
                    default -> json.skipChildren();
                }
            }
            if (user == null || old == null) {
                throw new IllegalArgumentException("a rename in a presence signal lacks user or old");
            }
            renames.add(new PresenceBoard.Rename(user, old));
        }
        return renames;
    }

    /** A reply's quote: {@code {"s":seq,"u":author,"t":excerpt,"d":true}}, without u and t once the original is gone. */
    private static Quote readQuote(JsonParser json) throws IOException {
        if (json.currentToken() != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("an announcement's q is an object");
        }
        long seq = 0;
        String author = null, excerpt = "";
        boolean deleted = false;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String key = json.currentName();
            json.nextToken();
            switch (key) {
                case "s" -> seq = json.getValueAsLong();
                case "u" -> author = json.getValueAsString();
                case "t" -> excerpt = json.getValueAsString();
                case "d" -> deleted = json.getValueAsBoolean();
                default -> json.skipChildren();
            }
        }
        if (seq < 1) throw new IllegalArgumentException("an announcement's q lacks s (≥ 1)");
        return author == null ? Quote.gone(seq) : new Quote(seq, author, excerpt, deleted);
    }

    /** A message's reactions: {@code [[emoji, userId, userName]…]}. */
    private static List<Reaction> readReactions(JsonParser json) throws IOException {
        if (json.currentToken() != JsonToken.START_ARRAY) {
            throw new IllegalArgumentException("an announcement's x is an array");
        }
        List<Reaction> reactions = new ArrayList<>();
        while (json.nextToken() == JsonToken.START_ARRAY) {
            String emoji = json.nextTextValue(), userId = json.nextTextValue(), userName = json.nextTextValue();
            if (emoji == null || userId == null || userName == null || json.nextToken() != JsonToken.END_ARRAY) {
                throw new IllegalArgumentException("a reaction in an announcement is [emoji, userId, userName]");
            }
            reactions.add(new Reaction(emoji, userId, userName));
        }
        return reactions;
    }

    private static void expectArray(JsonParser json) {
        if (json.currentToken() != JsonToken.START_ARRAY) {
            throw new IllegalArgumentException("a presence signal's j, l and m are arrays");
        }
    }

    /** A posted message, or a change with the message as it became ({@code "ts"}: its seq). */
    private static String encodeMessage(String nodeId, String kind, long seq, Message message, String byId, String emoji) {
        StringWriter out = new StringWriter(110 + message.text().length() + 60 * message.reactions().size());
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("k", kind);
            json.writeStringField("n", nodeId);
            json.writeStringField("r", message.room());
            json.writeNumberField("s", seq);
            if (!kind.equals(POSTED)) {
                json.writeNumberField("ts", message.seq());
            }
            if (message.editedAt() != null) {
                json.writeNumberField("ed", message.editedAt().toEpochMilli());
            }
            if (message.deletedAt() != null) {
                json.writeNumberField("dl", message.deletedAt().toEpochMilli());
            }
            if (byId != null) {
                json.writeStringField("by", byId);
            }
            if (emoji != null) {
                json.writeStringField("e", emoji);
            }
            Quote quote = message.quote();
            if (quote != null) {
                json.writeObjectFieldStart("q");
                json.writeNumberField("s", quote.seq());
                if (quote.kept()) {
                    json.writeStringField("u", quote.authorName());
                    json.writeStringField("t", quote.excerpt());
                }
                if (quote.deleted()) json.writeBooleanField("d", true);
                json.writeEndObject();
            }
            if (!message.reactions().isEmpty()) {
                json.writeArrayFieldStart("x");
                for (Reaction reaction : message.reactions()) {
                    json.writeStartArray();
                    json.writeString(reaction.emoji());
                    json.writeString(reaction.userId());
                    json.writeString(reaction.userName());
                    json.writeEndArray();
                }
                json.writeEndArray();
            }
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
        String byId = null, emoji = null;
        Quote quote = null;
        List<Reaction> reactions = List.of();
        long seq = 0, sentAt = Long.MIN_VALUE, target = 0, editedAt = Long.MIN_VALUE, deletedAt = Long.MIN_VALUE;
        List<Author> joined = List.of(), left = List.of();
        List<PresenceBoard.Rename> renamed = List.of();
        Author who = null;
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
                    case "s" -> seq = value == JsonToken.VALUE_NUMBER_INT ? json.getLongValue() : 0;
                    case "a" -> authorId = json.getValueAsString();
                    case "u" -> authorName = json.getValueAsString();
                    case "t" -> text = json.getValueAsString();
                    case "at" -> sentAt = value == JsonToken.VALUE_NUMBER_INT ? json.getLongValue() : Long.MIN_VALUE;
                    case "c" -> clientId = json.getValueAsString();
                    case "ts" -> target = value == JsonToken.VALUE_NUMBER_INT ? json.getLongValue() : 0;
                    case "ed" -> editedAt = value == JsonToken.VALUE_NUMBER_INT ? json.getLongValue() : Long.MIN_VALUE;
                    case "dl" -> deletedAt = value == JsonToken.VALUE_NUMBER_INT ? json.getLongValue() : Long.MIN_VALUE;
                    case "by" -> byId = json.getValueAsString();
                    case "e" -> emoji = json.getValueAsString();
                    case "q" -> quote = readQuote(json);
                    case "x" -> reactions = readReactions(json);
                    case "j" -> joined = readAuthors(json);
                    case "l" -> left = readAuthors(json);
                    case "m" -> renamed = readRenames(json);
                    case "w" -> who = value == JsonToken.START_OBJECT ? PresenceCodec.readAuthor(json) : null;
                    default -> json.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("announcement is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("announcement is unreadable: " + e.getMessage());
        }
        if (kind == null || node == null || room == null) {
            throw new IllegalArgumentException("announcement lacks one of k, n, r");
        }
        if (kind.equals(TYPING)) {
            if (who == null) {
                throw new IllegalArgumentException("a typing signal lacks w, who is typing");
            }
            return new Signalled(node, room, new Signal.Typing(who));
        }
        if (kind.equals(PRESENCE)) {
            return new Signalled(node, room, new Signal.Presence(new PresenceBoard.Change(joined, left, renamed)));
        }
        if (!List.of(POSTED, EDITED, DELETED, REACTED, UNREACTED).contains(kind)) {
            return new Unknown(node, kind, room, Math.max(seq, 0)); // a signal of a newer kind has no seq
        }
        if (seq < 1 || authorId == null || authorName == null || text == null || sentAt == Long.MIN_VALUE) {
            throw new IllegalArgumentException("announcement of a message lacks one of s (≥ 1), a, u, t, at");
        }
        long messageSeq = kind.equals(POSTED) ? seq : target;
        if (messageSeq < 1 || (kind.equals(DELETED) && (byId == null || deletedAt == Long.MIN_VALUE))) {
            throw new IllegalArgumentException("announcement of a " + kind + " message lacks ts (≥ 1), or by and dl");
        }
        if ((kind.equals(REACTED) || kind.equals(UNREACTED)) && (byId == null || emoji == null)) {
            throw new IllegalArgumentException("announcement of a " + kind + " message lacks by or e");
        }
        Message message = new Message(room, messageSeq, authorId, authorName, text, Instant.ofEpochMilli(sentAt), clientId,
                editedAt == Long.MIN_VALUE ? null : Instant.ofEpochMilli(editedAt),
                deletedAt == Long.MIN_VALUE ? null : Instant.ofEpochMilli(deletedAt), quote, reactions);
        return new Of(node, switch (kind) {
            case EDITED -> new RoomEvent.Edited(seq, message);
            case DELETED -> new RoomEvent.Deleted(seq, message, byId);
            case REACTED -> new RoomEvent.Reacted(seq, message, byId, emoji);
            case UNREACTED -> new RoomEvent.Unreacted(seq, message, byId, emoji);
            default -> new RoomEvent.Posted(message);
        });
    }
}
