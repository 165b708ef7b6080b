package chatroom.store;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A room's history as JSON lines ({@code chatroom export ROOM}): one object per event, in seq order. A
 * message is {@code {"seq":1,"time":"2026-11-28T13:30:27.120Z","authorId":"…","authorName":"…","text":"…"}}
 * as it now is, with {@code "edited"} (the time of its last edit) and {@code "deleted"} (its text is then
 * empty) when they apply. A change to a message is {@code {"seq":7,"kind":"edit","target":1,"time":"…",
 * "authorId":"…","text":"…"}} or {@code {"seq":9,"kind":"delete","target":1,"time":"…","authorId":"…"}}
 * (who deleted it); an edit of a message deleted since has no text. A reply has {@code "replyTo"}, the seq of
 * the message it answers; a reaction is {@code {"seq":11,"kind":"react","target":1,"time":"…","authorId":"…",
 * "emoji":"👍"}}, taken back with {@code "kind":"unreact"}. The name is the one the author had
 * when sending, as the store keeps it; the text is as stored (cleaned, not escaped for HTML), JSON-escaped
 * by the generator. Reads one snapshot on a {@link ReadOnlyDatabase} connection, streamed,
 * so a large room neither fills memory nor holds up the server.
 */
public final class RoomExport {

    private static final JsonFactory JSON = new JsonFactory();
    /** ISO-8601 in UTC, always with milliseconds (the store keeps milliseconds), so every line has one shape. */
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final int FETCH_ROWS = 1_000;

    private RoomExport() {}

    /** The room has never had a message in this database. */
    public static final class UnknownRoom extends RuntimeException {
        UnknownRoom(String room) {
            super("room " + room + " has no messages in this database (a private room is named by its whole id, ~…)");
        }
    }

    /**
     * Writes the room's messages with {@code seq > afterSeq} to {@code out} and returns how many it wrote;
     * {@code out} is flushed, not closed.
     *
     * @throws UnknownRoom if the database has no such room
     */
    public static long write(Connection connection, String room, long afterSeq, OutputStream out) throws SQLException {
        connection.setAutoCommit(false); // one snapshot; and pgjdbc streams rows only inside a transaction
        try {
            if (!exists(connection, room)) throw new UnknownRoom(room);
            long written = 0;
            try (PreparedStatement select = connection.prepareStatement(Sql.SELECT_AFTER_ALL);
                    JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
                json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                select.setFetchSize(FETCH_ROWS);
                select.setString(1, room);
                select.setLong(2, afterSeq);
                select.setString(3, room);
                select.setLong(4, afterSeq);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        String kind = rows.getString(2);
                        json.writeStartObject();
                        json.writeNumberField("seq", rows.getLong(1));
                        long target = rows.getLong(3);
                        boolean hasTarget = !rows.wasNull();
                        if (!kind.equals("message")) {
                            json.writeStringField("kind", kind);
                            json.writeNumberField("target", target);
                        } else if (hasTarget) {
                            json.writeNumberField("replyTo", target);
                        }
                        json.writeStringField("time", TIME.format(Instant.ofEpochMilli(rows.getLong(4))));
                        json.writeStringField("authorId", rows.getString(5));
                        if (kind.equals("message")) {
                            json.writeStringField("authorName", rows.getString(6));
                        }
                        String text = rows.getString(7);
                        if (text != null) {
                            json.writeStringField(kind.equals("react") || kind.equals("unreact") ? "emoji" : "text", text);
                        }
                        long edited = rows.getLong(8);
                        if (!rows.wasNull()) json.writeStringField("edited", TIME.format(Instant.ofEpochMilli(edited)));
                        long deleted = rows.getLong(9);
                        if (!rows.wasNull()) json.writeStringField("deleted", TIME.format(Instant.ofEpochMilli(deleted)));
                        json.writeEndObject();
                        json.writeRaw('\n');
                        written++;
                    }
                }
                json.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("room " + room + ": cannot write the export: " + e.getMessage(), e);
            }
            return written;
        } finally {
            connection.rollback();
        }
    }

    private static boolean exists(Connection connection, String room) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(Sql.selectLastSeqs(1))) {
            select.setString(1, room);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }
}
