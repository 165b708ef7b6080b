package chatroom.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the messages a {@link Retention} no longer keeps, on its own daemon thread ({@code store-pruner}),
 * every {@link Retention#every}. {@link JdbcMessageStore#startPruning} starts it and the store stops it first
 * when it closes.
 *
 * <p>Design: a pass walks the rooms table in name order, and in each room deletes from the oldest end only,
 * at most {@link Retention#batchRows} rows per statement (one short transaction), pausing after each batch as
 * long as the batch took. So the kept messages of a room are always one unbroken run of seqs up to the newest
 * (scroll-back can tell "pruned" from "a hole"), the writer never waits long for SQLite's write lock or a
 * PostgreSQL row, and the room's counter row ({@code rooms.last_seq}) is never touched: a message stored after
 * a prune gets the next seq, never one that was used before.
 *
 * <p>Cluster mode: every node runs its own pruner, and that is safe. A batch deletes {@code seq <= n} in one
 * room, where n was read just before; run twice, or by two nodes at once, the second deletes nothing (in
 * PostgreSQL it waits for the first's row locks, then finds the rows gone). The only cost is repeated reads.
 *
 * <p>Hazard: a batch holds SQLite's write lock while it runs, so {@code batchRows} bounds how long one append
 * can wait behind the pruner; keep it in the low thousands.
 */
final class MessagePruner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MessagePruner.class);
    /** Rooms read from the rooms table per query, walking it in name order. */
    private static final int ROOMS_PER_READ = 1_000;

    private final Database database;
    private final Retention retention;
    private final Clock clock;
    private final ScheduledExecutorService thread;

    MessagePruner(Database database, Retention retention, Clock clock) {
        this.database = database;
        this.retention = retention;
        this.clock = clock;
        // daemon: a store nobody closed must not keep the JVM alive
        this.thread = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                .name("store-pruner " + database.name())
                .daemon(true)
                .factory());
    }

    /** The first pass comes this soon after start-up at the latest, so an operator sees retention at work. */
    private static final Duration FIRST_PASS_WITHIN = Duration.ofMinutes(1);

    void start() {
        long everyMs = retention.every().toMillis();
        long firstMs = Math.min(everyMs, FIRST_PASS_WITHIN.toMillis());
        thread.scheduleWithFixedDelay(this::passAndLog, firstMs, everyMs, TimeUnit.MILLISECONDS);
        log.info("{}: keeping {}; pruning every {} ms", database.name(), retention, everyMs);
    }

    /** What one pass deleted. */
    private record Pass(long messages, int rooms, Duration took) {}

    private void passAndLog() {
        try {
            Pass pass = pruneAll();
            log.info("{}: pruned {} messages from {} rooms in {} ms (keeping {})",
                    database.name(), pass.messages(), pass.rooms(), pass.took().toMillis(), retention);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | SQLException e) {
            log.warn("{}: pruning failed, will try again in {} s: {}", database.name(), retention.every().toSeconds(),
                    e.toString());
        }
    }

    /** One pass over every room. */
    private Pass pruneAll() throws SQLException, InterruptedException {
        long started = System.nanoTime();
        long messages = 0;
        int rooms = 0;
        String after = "";
        while (true) {
            List<RoomCounter> page = rooms(after);
            for (RoomCounter room : page) {
                long deleted = prune(room);
                messages += deleted;
                if (deleted > 0) rooms++;
            }
            if (page.size() < ROOMS_PER_READ) break;
            after = page.getLast().room();
        }
        return new Pass(messages, rooms, Duration.ofNanos(System.nanoTime() - started));
    }

    private record RoomCounter(String room, long lastSeq) {}

    private List<RoomCounter> rooms(String after) throws SQLException {
        try (Connection connection = database.pool().getConnection();
                PreparedStatement select = connection.prepareStatement(Sql.SELECT_ROOMS_AFTER)) {
            select.setString(1, after);
            select.setInt(2, ROOMS_PER_READ);
            List<RoomCounter> rooms = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) rooms.add(new RoomCounter(rows.getString(1), rows.getLong(2)));
            }
            return rooms;
        }
    }

    /** Deletes the room's oldest messages batch by batch while the retention says they go. */
    private long prune(RoomCounter room) throws SQLException, InterruptedException {
        // seqs are gap-free, so the newest perRoom messages are exactly those above lastSeq - perRoom
        long keepFromSeq = retention.perRoom() > 0 ? room.lastSeq() - retention.perRoom() + 1 : Long.MIN_VALUE;
        long keepFromMs = retention.maxAge().map(age -> clock.millis() - age.toMillis()).orElse(Long.MIN_VALUE);
        long deleted = 0;
        while (true) {
            long started = System.nanoTime();
            long upTo;
            int count;
            try (Connection connection = database.pool().getConnection()) {
                // the oldest row alone first: in most rooms, on most passes, it is kept and that is the end
                if (lastToDelete(connection, room.room(), 1, keepFromSeq, keepFromMs) == 0) return deleted;
                upTo = lastToDelete(connection, room.room(), retention.batchRows(), keepFromSeq, keepFromMs);
                // the changes to those messages first: a pass cut short leaves messages without their history,
                // never a change whose message is gone
                try (PreparedStatement delete = connection.prepareStatement(Sql.DELETE_EVENTS_UP_TO)) {
                    delete.setString(1, room.room());
                    delete.setLong(2, upTo);
                    delete.setLong(3, upTo);
                    delete.executeUpdate();
                }
                try (PreparedStatement delete = connection.prepareStatement(Sql.DELETE_REACTIONS_UP_TO)) {
                    delete.setString(1, room.room());
                    delete.setLong(2, upTo);
                    delete.executeUpdate();
                }
                try (PreparedStatement delete = connection.prepareStatement(Sql.DELETE_UP_TO)) {
                    delete.setString(1, room.room());
                    delete.setLong(2, upTo);
                    count = delete.executeUpdate();
                }
            }
            deleted += count;
            if (count < retention.batchRows()) return deleted;
            // give the writer at least as much time as the batch took before the next one
            Thread.sleep(Duration.ofNanos(System.nanoTime() - started));
        }
    }

    /**
     * Among the room's {@code limit} oldest messages, the highest seq of the unbroken run, from the oldest, that
     * the retention lets go; 0 if the oldest is kept. Messages of one room are numbered in commit order, so a
     * newer one is kept whenever an older one is, except for clock skew between nodes: then pruning stops at
     * the first kept message rather than leave a hole in the room's history.
     */
    private static long lastToDelete(Connection connection, String room, int limit, long keepFromSeq, long keepFromMs)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(Sql.SELECT_OLDEST)) {
            select.setString(1, room);
            select.setInt(2, limit);
            long last = 0;
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    long seq = rows.getLong(1);
                    if (seq >= keepFromSeq && rows.getLong(2) >= keepFromMs) break;
                    last = seq;
                }
            }
            return last;
        }
    }

    /** Stops the thread, waiting for a batch under way (not a whole pass) to finish. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("{}: the pruner did not stop within 10 s", database.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
