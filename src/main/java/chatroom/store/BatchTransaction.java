package chatroom.store;

import chatroom.room.ChangeRefusedException;
import chatroom.room.Message;
import chatroom.room.NewMessage;
import chatroom.room.Quote;
import chatroom.room.RoomEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
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
 * for such appends are given back in the same transaction, so they leave no gap. On SQLite, whose driver
 * counts the rows each insert stored, the ids are not looked up first: the inserts skip an id already
 * stored, and a batch where one was skipped is rolled back and written again with the lookups (retries
 * are rare; a lookup per message cost as much as the insert).
 *
 * <p>Changes to messages (edits, deletions) take the room's next seqs in the same claim, in their place
 * among the room's appends; each is judged and applied by {@link ChangeWriter} once the inserts before
 * it have run. A refused change, or one retried with its client id, takes no seq: its number is given
 * back like a retried send's. So does a reply whose original is not there or was deleted: it is refused, as
 * a change is, and a reply's quote is read from its original in the same transaction.
 *
 * <p>It owns the recency clock ({@code last_active_us}): the time of the commit in microseconds, kept
 * strictly increasing per message so rooms written in the same millisecond, or after the wall clock stepped
 * back, still have an order.
 *
 * <p>Its statements are prepared once per connection and kept, with the connection in manual-commit mode,
 * for as long as it is handed the same connection: preparing them for every batch cost more than writing
 * a small batch. Used by {@link GroupCommitWriter} on its thread only.
 */
final class BatchTransaction {

    private long lastActiveUs;

    /**
     * Whether the driver reports the rows each batched insert stored (SQLite). Then client ids are not
     * looked up one by one: the inserts skip ids already stored, and only a batch where one was skipped is
     * written again with the lookups. pgjdbc rewrites batched inserts into multi-row ones and reports no
     * counts, so PostgreSQL always looks them up.
     */
    private final boolean insertCountsRows;

    /** The connection the statements below were prepared on, or null. */
    private Connection preparedOn;

    private PreparedStatement claim;
    private PreparedStatement insert;
    private PreparedStatement insertUnlessStored;
    private PreparedStatement selectByClientId;
    private PreparedStatement giveBack;
    private PreparedStatement dropRoom;
    private final ChangeWriter changes = new ChangeWriter();

    BatchTransaction(Dialect dialect, long lastActiveUs) {
        this.insertCountsRows = dialect == Dialect.SQLITE;
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
            RoomBatch room = rooms.computeIfAbsent(pending.room(), r -> new RoomBatch());
            room.appends.add(pending);
            room.lastIndex = i;
            room.hasClientIds |= pending.message != null && pending.message.clientId() != null;
        }
        long firstActiveUs = Math.max(ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()), lastActiveUs + 1);

        prepare(connection);
        if (!write(connection, rooms, firstActiveUs, !insertCountsRows)) {
            // a client id was stored already: its insert was skipped, and its seq would have been a gap
            connection.rollback();
            for (Pending pending : batch) {
                pending.reset();
            }
            write(connection, rooms, firstActiveUs, true);
        }
        lastActiveUs = firstActiveUs + batch.size() - 1;
    }

    /**
     * One attempt at the transaction. With {@code lookUpRetries} each client id is looked up before the
     * inserts, and the attempt always commits. Without, the inserts skip a client id already stored and the
     * attempt returns false, uncommitted, if any did, for the caller to roll back and look them up.
     */
    private boolean write(Connection connection, Map<String, RoomBatch> rooms, long firstActiveUs, boolean lookUpRetries)
            throws SQLException {
        PreparedStatement insert = lookUpRetries ? this.insert : insertUnlessStored;
        try {
            for (Map.Entry<String, RoomBatch> entry : rooms.entrySet()) {
                String room = entry.getKey();
                List<Pending> appends = entry.getValue().appends;
                // a room's recency is that of its last append in the batch
                long lastSeq = claim(room, appends.size(), firstActiveUs + entry.getValue().lastIndex);
                int unnumbered = lookUpRetries && entry.getValue().hasClientIds ? findRetries(appends) : 0;
                long seq = lastSeq - appends.size();
                for (Pending pending : appends) {
                    if (pending.message == null) {
                        // a change sees the messages before it, in this batch too
                        if (!executeInserts(insert, lookUpRetries)) return false;
                        if (!change(pending, seq + 1)) {
                            unnumbered++;
                            continue;
                        }
                        seq++;
                        continue;
                    }
                    if (pending.stored != null) continue; // stored before this batch
                    if (pending.retryOf != null) {
                        // earlier in this batch, so already set
                        pending.stored = pending.retryOf.stored;
                        pending.refused = pending.retryOf.refused;
                        continue;
                    }
                    Quote quote = null;
                    if (pending.message.replyTo() > 0) {
                        // the original may be earlier in this batch
                        if (!executeInserts(insert, lookUpRetries)) return false;
                        try {
                            quote = changes.quoteFor(room, pending.message.replyTo());
                        } catch (ChangeRefusedException refused) {
                            pending.refused = refused;
                            unnumbered++;
                            continue;
                        }
                    }
                    pending.stored = stored(pending.message, ++seq).withQuote(quote);
                    addInsert(insert, pending.message, seq);
                }
                if (unnumbered > 0) giveBack(room, unnumbered, lastSeq);
            }
            if (!executeInserts(insert, lookUpRetries)) return false;
            connection.commit();
            return true;
        } catch (SQLException | RuntimeException e) {
            // the caller rolls back and drops the connection; a batch left in the statement must not be
            // executed with the next one should the same connection come back
            try {
                insert.clearBatch();
            } catch (SQLException clearFailure) {
                e.addSuppressed(clearFailure);
            }
            throw e;
        }
    }

    /**
     * Runs the inserts added so far. Without {@code lookUpRetries}, false if one was skipped (its client id
     * was stored already): the attempt is then rolled back and written again with the lookups.
     */
    private static boolean executeInserts(PreparedStatement insert, boolean lookUpRetries) throws SQLException {
        int[] inserted = insert.executeBatch();
        if (!lookUpRetries) {
            for (int rows : inserted) {
                if (rows == 0) return false;
            }
        }
        return true;
    }

    /**
     * Applies a change as event {@code seq}, or finds what it did the first time (a retry), or records why
     * it may not be applied; true only if it took {@code seq}.
     */
    private boolean change(Pending pending, long seq) throws SQLException {
        RoomEvent before = changes.appliedBefore(pending.event);
        if (before != null) {
            pending.changed = before;
            return false;
        }
        try {
            pending.changed = changes.apply(pending.event, seq);
            return true;
        } catch (ChangeRefusedException refused) {
            pending.refused = refused;
            return false;
        }
    }

    /** Prepares the statements on {@code connection} unless they already are; the old ones go with their connection. */
    private void prepare(Connection connection) throws SQLException {
        if (connection == preparedOn) return;
        preparedOn = null;
        connection.setAutoCommit(false);
        claim = connection.prepareStatement(Sql.CLAIM_SEQS);
        insert = connection.prepareStatement(Sql.INSERT_MESSAGE);
        if (insertCountsRows) insertUnlessStored = connection.prepareStatement(Sql.INSERT_MESSAGE_UNLESS_STORED);
        selectByClientId = connection.prepareStatement(Sql.SELECT_BY_CLIENT_ID);
        giveBack = connection.prepareStatement(Sql.GIVE_BACK_SEQS);
        dropRoom = connection.prepareStatement(Sql.DROP_EMPTY_ROOM);
        changes.prepare(connection);
        preparedOn = connection;
    }

    private long claim(String room, int count, long activeUs) throws SQLException {
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
    private int findRetries(List<Pending> appends) throws SQLException {
        int retries = 0;
        Map<List<String>, Pending> firstById = new HashMap<>();
        for (Pending pending : appends) {
            NewMessage message = pending.message;
            if (message == null || message.clientId() == null) continue;
            Pending first = firstById.putIfAbsent(List.of(message.authorId(), message.clientId()), pending);
            if (first != null) {
                pending.retryOf = first;
                retries++;
                continue;
            }
            selectByClientId.setString(1, message.room());
            selectByClientId.setString(2, message.authorId());
            selectByClientId.setString(3, message.clientId());
            try (ResultSet row = selectByClientId.executeQuery()) {
                if (row.next()) {
                    pending.stored = MessageReads.message(row);
                    retries++;
                }
            }
        }
        return retries;
    }

    /**
     * Gives back numbers claimed for appends that stored nothing. A room whose every number goes back had
     * no row before this claim (a refused change to a room without messages): its row goes too.
     */
    private void giveBack(String room, int count, long claimedUpTo) throws SQLException {
        if (count == claimedUpTo) {
            dropRoom.setString(1, room);
            dropRoom.executeUpdate();
            return;
        }
        giveBack.setLong(1, count);
        giveBack.setString(2, room);
        giveBack.executeUpdate();
    }

    private static void addInsert(PreparedStatement insert, NewMessage message, long seq) throws SQLException {
        insert.setString(1, message.room());
        insert.setLong(2, seq);
        insert.setString(3, message.authorId());
        insert.setString(4, message.authorName());
        insert.setString(5, message.text());
        insert.setLong(6, message.sentAt().toEpochMilli());
        insert.setString(7, message.clientId());
        if (message.replyTo() > 0) insert.setLong(8, message.replyTo());
        else insert.setNull(8, Types.BIGINT);
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
        /** Messages and changes, in the order they were appended. */
        final List<Pending> appends = new ArrayList<>();
        int lastIndex;
        boolean hasClientIds;
    }
}
