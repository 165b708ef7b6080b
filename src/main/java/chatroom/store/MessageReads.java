package chatroom.store;

import chatroom.room.Message;
import chatroom.room.Quote;
import chatroom.room.RoomEvent;
import chatroom.room.RoomName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's reads: history around a sequence number, recent rooms, last seqs. Owns a small pool of
 * reader threads, each using its own pooled connection, so reads never wait behind the writer (SQLite's
 * WAL and PostgreSQL's MVCC both let readers run during a write). {@link JdbcMessageStore} calls it from any
 * thread; each read returns at once and completes on a reader thread.
 */
final class MessageReads {

    private static final Logger log = LoggerFactory.getLogger(MessageReads.class);
    private static final long STOP_WAIT_SECONDS = 10;
    /** Rooms per lastSeqs query: well under the bind-parameter limits of SQLite (32766) and pgjdbc (32767). */
    static final int LAST_SEQS_PER_QUERY = 1_000;

    private final Database database;
    private final ExecutorService readers;

    MessageReads(Database database, int readerThreads) {
        this.database = database;
        // daemon: a store nobody closed must not keep the JVM alive
        this.readers = Executors.newFixedThreadPool(
                readerThreads,
                Thread.ofPlatform()
                        .name("store-reader " + database.name() + " #", 1)
                        .daemon(true)
                        .factory());
    }

    CompletableFuture<List<Message>> before(String room, long beforeSeq, int limit) {
        return messages(room, Sql.SELECT_BEFORE, beforeSeq, limit, true);
    }

    /**
     * The room's events after {@code afterSeq}, oldest first, at most {@code limit}: its messages (each the
     * event that posted it, as it now is) and its changes, merged by seq.
     */
    CompletableFuture<List<RoomEvent>> after(String room, long afterSeq, int limit) {
        Objects.requireNonNull(room, "room");
        if (limit < 0) return negativeLimit(limit);
        return read("room " + room + ": reading up to " + limit + " events", connection -> {
            List<Message> messages = ReactionRows.attach(connection,
                    rows(connection, Sql.SELECT_AFTER, room, afterSeq, limit, MessageReads::message));
            List<RoomEvent> posted = new ArrayList<>(messages.size());
            messages.forEach(message -> posted.add(new RoomEvent.Posted(message)));
            List<RoomEvent> changes = rows(connection, Sql.SELECT_EVENTS_AFTER, room, afterSeq, limit, MessageReads::change);
            return merged(posted, withReactions(connection, changes), limit);
        });
    }

    private interface Row<T> {
        T read(ResultSet row) throws SQLException;
    }

    /** The rows of a (room, seq, limit) query, each read as {@code row} says. */
    private static <T> List<T> rows(Connection connection, String sql, String room, long seq, int limit, Row<T> row)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, room);
            select.setLong(2, seq);
            select.setInt(3, limit);
            List<T> read = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) read.add(row.read(rows));
            }
            return read;
        }
    }

    /** Changes with their messages' reactions as they now are: one read per message changed. */
    private static List<RoomEvent> withReactions(Connection connection, List<RoomEvent> changes) throws SQLException {
        if (changes.isEmpty()) return changes;
        Map<Long, Message> now = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(Sql.SELECT_REACTIONS)) {
            for (RoomEvent change : changes) {
                Message message = change.message();
                if (!now.containsKey(message.seq())) now.put(message.seq(), ReactionRows.attach(select, message));
            }
        }
        List<RoomEvent> with = new ArrayList<>(changes.size());
        for (RoomEvent change : changes) with.add(change.withMessage(now.get(change.message().seq())));
        return with;
    }

    /** Two runs in seq order merged into one, the first {@code limit}. */
    private static List<RoomEvent> merged(List<RoomEvent> a, List<RoomEvent> b, int limit) {
        if (b.isEmpty()) return List.copyOf(a);
        List<RoomEvent> all = new ArrayList<>(Math.min(limit, a.size() + b.size()));
        int i = 0, j = 0;
        while (all.size() < limit && (i < a.size() || j < b.size())) {
            boolean fromA = j >= b.size() || (i < a.size() && a.get(i).seq() < b.get(j).seq());
            all.add(fromA ? a.get(i++) : b.get(j++));
        }
        return List.copyOf(all);
    }

    /** One room that has messages, private or not, or none: whether the database is in use. */
    CompletableFuture<List<String>> anyRoom() {
        return read("looking for any room", connection -> {
            try (PreparedStatement select = connection.prepareStatement(Sql.SELECT_ANY_ROOM);
                    ResultSet rows = select.executeQuery()) {
                return rows.next() ? List.of(rows.getString(1)) : List.of();
            }
        });
    }

    CompletableFuture<List<String>> recentRooms(int limit) {
        if (limit < 0) return negativeLimit(limit);
        return read("reading the " + limit + " most recently active rooms", connection -> {
            try (PreparedStatement select = connection.prepareStatement(Sql.SELECT_ACTIVE_ROOMS)) {
                select.setString(1, RoomName.PRIVATE_PREFIX + "%");
                select.setInt(2, limit);
                List<String> rooms = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) rooms.add(rows.getString(1));
                }
                return List.copyOf(rooms);
            }
        });
    }

    /** One query per {@link #LAST_SEQS_PER_QUERY} rooms (usually one query), not one per room. */
    CompletableFuture<Map<String, Long>> lastSeqs(Collection<String> rooms) {
        List<String> names = List.copyOf(rooms);
        return read("reading the last seq of " + names.size() + " rooms", connection -> {
            Map<String, Long> last = new HashMap<>();
            for (int from = 0; from < names.size(); from += LAST_SEQS_PER_QUERY) {
                List<String> chunk = names.subList(from, Math.min(names.size(), from + LAST_SEQS_PER_QUERY));
                try (PreparedStatement select = connection.prepareStatement(Sql.selectLastSeqs(chunk.size()))) {
                    for (int i = 0; i < chunk.size(); i++) select.setString(i + 1, chunk.get(i));
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) last.put(rows.getString(1), rows.getLong(2));
                    }
                }
            }
            for (String room : names) last.putIfAbsent(room, 0L);
            return last;
        });
    }

    /** Lets running reads finish (for a while), then stops the threads; later reads fail with "store is closed". */
    void stop() {
        readers.shutdown();
        try {
            if (!readers.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                log.warn("{}: reads still running after {} s; stopping them", database.name(), STOP_WAIT_SECONDS);
                readers.shutdownNow();
            }
        } catch (InterruptedException e) {
            readers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private CompletableFuture<List<Message>> messages(
            String room, String sql, long seq, int limit, boolean newestFirst) {
        Objects.requireNonNull(room, "room");
        if (limit < 0) return negativeLimit(limit);
        return read("room " + room + ": reading up to " + limit + " messages", connection -> {
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                select.setString(1, room);
                select.setLong(2, seq);
                select.setInt(3, limit);
                List<Message> messages = new ArrayList<>(Math.min(limit, 1024));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) messages.add(message(rows));
                }
                // the index gave us the newest n, newest first; callers want them oldest first
                if (newestFirst) Collections.reverse(messages);
                return List.copyOf(ReactionRows.attach(connection, messages));
            }
        });
    }

    /** A message from a row of {@link Sql#MESSAGE_COLUMNS}, without its reactions ({@link ReactionRows}). */
    static Message message(ResultSet row) throws SQLException {
        return message(row, 0);
    }

    /** A message from {@link Sql#MESSAGE_COLUMNS} that start after column {@code skip}. */
    static Message message(ResultSet row, int skip) throws SQLException {
        Message message = new Message(
                row.getString(skip + 1),
                row.getLong(skip + 2),
                row.getString(skip + 3),
                row.getString(skip + 4),
                row.getString(skip + 5),
                Instant.ofEpochMilli(row.getLong(skip + 6)),
                row.getString(skip + 7),
                instantOrNull(row, skip + 8),
                instantOrNull(row, skip + 9));
        long replyTo = row.getLong(skip + 10);
        if (row.wasNull()) return message;
        String quotedAuthor = row.getString(skip + 11);
        return message.withQuote(quotedAuthor == null
                ? Quote.gone(replyTo)
                : Quote.of(replyTo, quotedAuthor, row.getString(skip + 12), instantOrNull(row, skip + 13) != null));
    }

    /** A change from a row of {@link Sql#EVENT_COLUMNS}, its message as it now is (reactions not yet read). */
    static RoomEvent change(ResultSet row) throws SQLException {
        long seq = row.getLong(1);
        String kind = row.getString(2);
        String authorId = row.getString(3);
        String text = row.getString(4);
        Message message = message(row, 4);
        return switch (kind) {
            case ChangeWriter.EDIT -> new RoomEvent.Edited(seq, message);
            case ChangeWriter.DELETE -> new RoomEvent.Deleted(seq, message, authorId);
            case ChangeWriter.REACT -> new RoomEvent.Reacted(seq, message, authorId, text);
            case ChangeWriter.UNREACT -> new RoomEvent.Unreacted(seq, message, authorId, text);
            default -> throw new SQLException("event " + seq + " of room " + message.room() + " has unknown kind '" + kind + "'");
        };
    }

    private static Instant instantOrNull(ResultSet row, int column) throws SQLException {
        long ms = row.getLong(column);
        return row.wasNull() ? null : Instant.ofEpochMilli(ms);
    }

    private static <T> CompletableFuture<T> negativeLimit(int limit) {
        return CompletableFuture.failedFuture(new IllegalArgumentException("limit is " + limit + "; it must be ≥ 0"));
    }

    private interface Query<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> CompletableFuture<T> read(String what, Query<T> query) {
        try {
            return CompletableFuture.supplyAsync(
                    () -> {
                        try (Connection connection = database.pool().getConnection()) {
                            return query.run(connection);
                        } catch (SQLException e) {
                            throw new StoreException(what + " failed: " + e.getMessage(), e);
                        }
                    },
                    readers);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("store is closed"));
        }
    }
}
