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
import java.util.HashMap;
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
 * <p>Retried sends: an append whose (room, author, client id) is already stored — by an earlier batch, by
 * another node, or earlier in the same batch — stores nothing and completes with the message stored the
 * first time. The lookup runs after the claim, when the room's row is locked: another node's transaction
 * that could store the same id has committed by then (and is seen) or waits for ours. The numbers claimed
 * for such appends are given back in the same transaction, so they leave no gap.
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
            room.hasClientIds |= pending.message.clientId() != null;
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
                int retries = entry.getValue().hasClientIds ? findRetries(connection, messages) : 0;
                long seq = lastSeq - messages.size();
                for (Pending pending : messages) {
                    if (pending.stored != null) continue; // stored before this batch
                    if (pending.retryOf != null) {
                        pending.stored = pending.retryOf.stored; // earlier in this batch, so already set
                        continue;
                    }
                    pending.stored = stored(pending.message, ++seq);
                    addInsert(insert, pending.message, seq);
                }
                if (retries > 0) giveBack(connection, room, retries);
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

    /**
     * Marks the room's appends whose client id is stored already ({@link Pending#stored} set to the stored
     * message) or used earlier in this batch ({@link Pending#retryOf}); returns how many were marked.
     */
    private static int findRetries(Connection connection, List<Pending> messages) throws SQLException {
        int retries = 0;
        Map<List<String>, Pending> firstById = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(Sql.SELECT_BY_CLIENT_ID)) {
            for (Pending pending : messages) {
                NewMessage message = pending.message;
                if (message.clientId() == null) continue;
                Pending first = firstById.putIfAbsent(List.of(message.authorId(), message.clientId()), pending);
                if (first != null) {
                    pending.retryOf = first;
                    retries++;
                    continue;
                }
                select.setString(1, message.room());
                select.setString(2, message.authorId());
                select.setString(3, message.clientId());
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        pending.stored = MessageReads.message(row);
                        retries++;
                    }
                }
            }
        }
        return retries;
    }

    private static void giveBack(Connection connection, String room, int count) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(Sql.GIVE_BACK_SEQS)) {
            update.setLong(1, count);
            update.setString(2, room);
            update.executeUpdate();
        }
    }

    private static void addInsert(PreparedStatement insert, NewMessage message, long seq) throws SQLException {
        insert.setString(1, message.room());
        insert.setLong(2, seq);
        insert.setString(3, message.authorId());
        insert.setString(4, message.authorName());
        insert.setString(5, message.text());
        insert.setLong(6, message.sentAt().toEpochMilli());
        insert.setString(7, message.clientId());
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
                message.sentAt().truncatedTo(ChronoUnit.MILLIS),
                message.clientId());
    }

    private static final class RoomBatch {
        final List<Pending> messages = new ArrayList<>();
        int lastIndex;
        boolean hasClientIds;
    }
}
