package chatroom.store;

import chatroom.room.Message;
import chatroom.room.NewMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes one batch of appends in one transaction, the same SQL on SQLite and PostgreSQL. Each room of the
 * batch claims its block of sequence numbers with one upsert on its {@code rooms} row ({@code last_seq =
 * last_seq + n … RETURNING last_seq}), then its messages are inserted with those numbers: numbering is
 * gap-free and starts at 1, there is no query per message, and there is no counter in memory that could go
 * wrong — a failed transaction rolls the claim back with the messages, a restart reads it from the
 * database, and two nodes writing one room serialize on that row. Rooms are claimed in name order, so two
 * nodes whose batches share rooms lock them in the same order and cannot deadlock.
 *
 * <p>It owns the recency clock ({@code last_active_us}): the time of the commit in microseconds, kept
 * strictly increasing per message so rooms written in the same millisecond, or after the wall clock stepped
 * back, still have an order. Used by {@link GroupCommitWriter} on its thread only.
 */
final class BatchTransaction {

    private long lastActiveUs;

    BatchTransaction(long lastActiveUs) {
        this.lastActiveUs = lastActiveUs;
    }

    /**
     * Claims, inserts and commits; sets {@link Pending#stored} of every append of the batch. Throws if
     * anything fails, leaving the rollback and the connection to the caller.
     */
    void write(Connection connection, List<Pending> batch) throws SQLException {
        Map<String, RoomBatch> rooms = new TreeMap<>();
        for (int i = 0; i < batch.size(); i++) {
            Pending pending = batch.get(i);
            RoomBatch room = rooms.computeIfAbsent(pending.message.room(), r -> new RoomBatch());
            room.messages.add(pending);
            room.lastIndex = i;
        }
        long firstActiveUs = Math.max(ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()), lastActiveUs + 1);

        connection.setAutoCommit(false);
        try (PreparedStatement claim = connection.prepareStatement(Sql.CLAIM_SEQS);
                PreparedStatement insert = connection.prepareStatement(Sql.INSERT_MESSAGE)) {
            for (Map.Entry<String, RoomBatch> entry : rooms.entrySet()) {
                String room = entry.getKey();
                List<Pending> messages = entry.getValue().messages;
                // a room's recency is that of its last message in the batch
                long lastSeq = claim(claim, room, messages.size(), firstActiveUs + entry.getValue().lastIndex);
                long seq = lastSeq - messages.size();
                for (Pending pending : messages) {
                    pending.stored = stored(pending.message, ++seq);
                    addInsert(insert, pending.stored);
                }
            }
            insert.executeBatch();
            connection.commit();
        }
        lastActiveUs = firstActiveUs + batch.size() - 1;
    }

    private static long claim(PreparedStatement claim, String room, int count, long activeUs) throws SQLException {
        claim.setString(1, room);
        claim.setLong(2, count);
        claim.setLong(3, activeUs);
        try (ResultSet claimed = claim.executeQuery()) {
            if (!claimed.next()) {
                throw new SQLException("room " + room + ": claiming sequence numbers returned no row");
            }
            return claimed.getLong(1);
        }
    }

    private static void addInsert(PreparedStatement insert, Message message) throws SQLException {
        insert.setString(1, message.room());
        insert.setLong(2, message.seq());
        insert.setString(3, message.authorId());
        insert.setString(4, message.authorName());
        insert.setString(5, message.text());
        insert.setLong(6, message.sentAt().toEpochMilli());
        insert.addBatch();
    }

    /** The message as history will return it: the database keeps whole milliseconds. */
    private static Message stored(NewMessage message, long seq) {
        return new Message(
                message.room(),
                seq,
                message.authorId(),
                message.authorName(),
                message.text(),
                message.sentAt().truncatedTo(ChronoUnit.MILLIS));
    }

    private static final class RoomBatch {
        final List<Pending> messages = new ArrayList<>();
        int lastIndex;
    }
}
