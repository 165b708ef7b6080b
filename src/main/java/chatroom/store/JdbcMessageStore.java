package chatroom.store;

import chatroom.room.Message;
import chatroom.room.MessageStore;
import chatroom.room.NewMessage;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Messages in a database over JDBC: a SQLite file now ({@link #openSqlite}), PostgreSQL later with the same
 * SQL and migrations (what differs is in {@link Dialect}). Rooms call it through {@link MessageStore};
 * {@code Main} opens one per process and closes it last, after the rooms. It owns a connection pool, one
 * writer thread, a small pool of reader threads and the queue of appends not yet written.
 *
 * <p>Writes (group commit): the writer takes every append waiting in the queue, up to {@link
 * Settings#maxBatch}, and writes them in one transaction, then completes their futures in queue order. In
 * that transaction each room of the batch claims its block of sequence numbers with one upsert on its
 * {@code rooms} row ({@code last_seq = last_seq + n … RETURNING last_seq}): numbering is gap-free and starts
 * at 1, there is no query per message, and there is no counter in memory that could go wrong — a failed
 * transaction rolls the claim back with the messages, a restart reads it from the file, and (for the
 * PostgreSQL store) two nodes writing one room serialize on that row. A failed transaction fails the
 * futures of its batch, and only those, with a {@link StoreException}; the writer goes on with the next
 * batch. Appends are checked before they are queued, so a bad message is refused alone and cannot fail
 * the batch it would have shared.
 *
 * <p>Durability (SQLite): WAL journal with {@code synchronous=FULL} by default ({@link
 * Durability#POWER_LOSS_SAFE}): each commit fsyncs the WAL before any future completes, so a message
 * anyone has seen survives kill -9, a kernel crash and power loss. {@code synchronous=NORMAL} ({@link
 * Durability#PROCESS_CRASH_SAFE}) writes the commit to the WAL in the OS page cache and fsyncs only at
 * checkpoints: enough for kill -9 of the process (DESIGN's guarantee 2), not for power loss. FULL is the
 * default because group commit makes it cheap — one fsync per batch, not per message: on the shared 2-core
 * dev VM ({@link StoreThroughput}, 100 rooms, 100-char texts, 1024 appends in flight) FULL stored 41,000–69,000
 * messages/s and NORMAL 54,000–60,000 while the machine was lightly loaded; under heavy CPU contention both
 * fell to 18,000–32,000 and were equal, so CPU, not fsync, is the limit. Other
 * pragmas: {@code busy_timeout} (so Flyway, a backup or a second process holding the lock delays a batch
 * instead of failing it at once) and {@code foreign_keys=ON}.
 *
 * <p>Times: {@code sent_at_ms} is epoch milliseconds, the same BIGINT in SQLite and PostgreSQL, compared
 * as numbers, never parsed; so the message an append completes with equals the one history returns, its
 * {@code sentAt} is truncated to milliseconds. "Rooms most recently active" orders by {@code
 * last_active_us}, the writer's clock at commit kept strictly increasing per message (as the
 * workers-chat-demo does with its timestamps) so rooms written in the same millisecond still have an order.
 *
 * <p>Threading: every public method may be called from any thread and returns at once; the work runs on
 * the store's threads. Appends complete on the writer thread and reads on a reader thread. <b>Hazard:</b>
 * a continuation attached to an append runs on the writer thread — one that blocks stalls every write of
 * the store, so do real work with {@code thenApplyAsync} on your own executor.
 *
 * <p>Closing: {@link #close} refuses new work (append then fails fast with {@code IllegalStateException
 * ("store is closed")}, as a failed future), waits for every queued append to be written, then stops the
 * threads and the pool. It may be called more than once.
 */
public final class JdbcMessageStore implements MessageStore {

    /**
     * Longest text the store accepts, in Java chars (UTF-16 units). The schema's CHECK counts code points,
     * which are never more, so a text that passes here never trips the CHECK and fails a batch.
     */
    public static final int MAX_TEXT_CHARS = 16_000;

    private static final Logger log = LoggerFactory.getLogger(JdbcMessageStore.class);

    // One statement per room per batch: claims n sequence numbers and marks the room active.
    static final String CLAIM_SEQS = """
            INSERT INTO rooms (room, last_seq, last_active_us) VALUES (?, ?, ?)
            ON CONFLICT (room) DO UPDATE
                SET last_seq = rooms.last_seq + excluded.last_seq, last_active_us = excluded.last_active_us
            RETURNING last_seq""";
    static final String INSERT_MESSAGE =
            "INSERT INTO messages (room, seq, author_id, author_name, text, sent_at_ms) VALUES (?, ?, ?, ?, ?, ?)";
    static final String SELECT_BEFORE = """
            SELECT room, seq, author_id, author_name, text, sent_at_ms FROM messages
            WHERE room = ? AND seq < ? ORDER BY seq DESC LIMIT ?""";
    static final String SELECT_AFTER = """
            SELECT room, seq, author_id, author_name, text, sent_at_ms FROM messages
            WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?""";
    static final String SELECT_ACTIVE_ROOMS = "SELECT room FROM rooms ORDER BY last_active_us DESC LIMIT ?";
    static final String SELECT_LAST_SEQ = "SELECT last_seq FROM rooms WHERE room = ?";
    static final String SELECT_LAST_ACTIVE = "SELECT coalesce(max(last_active_us), 0) FROM rooms";

    /** Put in the queue by {@link #close}: the writer stops when it reaches it, so everything before is written. */
    private static final Pending CLOSE = new Pending(null);

    /** How much a commit must survive before an append completes. */
    public enum Durability {
        /** fsync on every commit (SQLite {@code synchronous=FULL}): survives power loss. The default. */
        POWER_LOSS_SAFE,
        /**
         * fsync at checkpoints only (SQLite {@code synchronous=NORMAL} in WAL mode): survives kill -9, not power
         * loss.
         */
        PROCESS_CRASH_SAFE
    }

    /**
     * Tuning. {@link #defaults()} suits a chat server; the benchmark and tests change single values.
     *
     * @param maxBatch most appends written in one transaction
     * @param maxQueued most appends waiting for the writer; beyond that append fails at once rather than
     *     letting a stalled database grow the queue without bound
     * @param readerThreads threads (and pooled connections) for reads; WAL lets them read while the writer writes
     * @param busyTimeout how long a statement waits for a lock held by another connection or process
     */
    public record Settings(
            int maxBatch, int maxQueued, int readerThreads, Duration busyTimeout, Durability durability) {

        public Settings {
            if (maxBatch < 1) throw new IllegalArgumentException("maxBatch is " + maxBatch + "; it must be ≥ 1");
            if (maxQueued < 1) throw new IllegalArgumentException("maxQueued is " + maxQueued + "; it must be ≥ 1");
            if (readerThreads < 1) {
                throw new IllegalArgumentException("readerThreads is " + readerThreads + "; it must be ≥ 1");
            }
            Objects.requireNonNull(busyTimeout, "busyTimeout");
            Objects.requireNonNull(durability, "durability");
        }

        public static Settings defaults() {
            return new Settings(512, 65_536, 2, Duration.ofSeconds(5), Durability.POWER_LOSS_SAFE);
        }

        public Settings withMaxBatch(int maxBatch) {
            return new Settings(maxBatch, maxQueued, readerThreads, busyTimeout, durability);
        }

        public Settings withBusyTimeout(Duration busyTimeout) {
            return new Settings(maxBatch, maxQueued, readerThreads, busyTimeout, durability);
        }

        public Settings withDurability(Durability durability) {
            return new Settings(maxBatch, maxQueued, readerThreads, busyTimeout, durability);
        }
    }

    private final String name;
    private final Settings settings;
    private final HikariDataSource pool;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** Makes "not closed, so queue it" one step, so nothing is queued behind {@link #CLOSE}. */
    private final Object submitLock = new Object();

    private volatile boolean closed; // written under submitLock
    private final Thread writer;
    private final ExecutorService readers;

    // Writer thread only.
    private long lastActiveUs;
    private String lastFailure;

    /**
     * Opens (creating if needed) the SQLite file with {@link Settings#defaults()} and brings its schema up to
     * date. This is the store for the embedded mode: one process, one file.
     */
    public static JdbcMessageStore openSqlite(Path dbFile) {
        return openSqlite(dbFile, Settings.defaults());
    }

    /** As {@link #openSqlite(Path)}, with tuning: for the benchmark and for tests that need a short busy timeout. */
    public static JdbcMessageStore openSqlite(Path dbFile, Settings settings) {
        Path file = dbFile.toAbsolutePath();
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot create its directory", e);
        }
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setSynchronous(
                settings.durability() == Durability.POWER_LOSS_SAFE
                        ? SQLiteConfig.SynchronousMode.FULL
                        : SQLiteConfig.SynchronousMode.NORMAL);
        sqlite.setBusyTimeout(Math.toIntExact(settings.busyTimeout().toMillis()));
        sqlite.enforceForeignKeys(true);
        SQLiteDataSource source = new SQLiteDataSource(sqlite);
        source.setUrl("jdbc:sqlite:" + file);

        HikariConfig hikari = new HikariConfig();
        hikari.setDataSource(source);
        hikari.setPoolName("store " + file.getFileName());
        // one connection for the writer, one per reader: nobody ever waits for a connection
        hikari.setMaximumPoolSize(settings.readerThreads() + 1);
        hikari.setMinimumIdle(1);
        HikariDataSource pool = new HikariDataSource(hikari);
        try {
            return new JdbcMessageStore(file.toString(), Dialect.SQLITE, pool, settings);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private JdbcMessageStore(String name, Dialect dialect, HikariDataSource pool, Settings settings) {
        this.name = name;
        this.settings = settings;
        this.pool = pool;
        Flyway.configure()
                .dataSource(pool)
                .locations(dialect.migrationLocations())
                .load()
                .migrate();
        try (Connection connection = pool.getConnection();
                PreparedStatement select = connection.prepareStatement(SELECT_LAST_ACTIVE);
                ResultSet rows = select.executeQuery()) {
            rows.next();
            lastActiveUs = rows.getLong(1);
        } catch (SQLException e) {
            throw new StoreException(name + ": cannot read the rooms table: " + e.getMessage(), e);
        }
        // daemon: a store nobody closed must not keep the JVM alive; close() is what drains the queue
        readers = Executors.newFixedThreadPool(
                settings.readerThreads(),
                Thread.ofPlatform()
                        .name("store-reader " + Path.of(name).getFileName() + " #", 1)
                        .daemon(true)
                        .factory());
        writer = Thread.ofPlatform()
                .name("store-writer " + Path.of(name).getFileName())
                .daemon(true)
                .unstarted(this::writeUntilClosed);
        writer.start();
        log.info(
                "{}: opened ({}, WAL, {}, batches of up to {})",
                name,
                dialect.displayName(),
                settings.durability(),
                settings.maxBatch());
    }

    @Override
    public CompletableFuture<Message> append(NewMessage message) {
        Objects.requireNonNull(message, "message");
        String refusal = refusal(message);
        if (refusal != null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(refusal));
        }
        Pending pending = new Pending(message);
        synchronized (submitLock) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("store is closed"));
            }
            int waiting = queue.size();
            if (waiting >= settings.maxQueued()) {
                return CompletableFuture.failedFuture(new StoreException("room " + message.room()
                        + ": message not stored; " + waiting + " messages are waiting to be written, the limit is "
                        + settings.maxQueued()));
            }
            queue.add(pending);
        }
        return pending.future;
    }

    /** Why the store would refuse this message, or null: checked before queueing so it fails alone. */
    private static String refusal(NewMessage message) {
        if (message.room() == null) return "message has no room";
        String subject = "room " + message.room() + ": ";
        if (message.authorId() == null) return subject + "message has no authorId";
        if (message.authorName() == null) return subject + "message has no authorName";
        if (message.text() == null) return subject + "message has no text";
        if (message.sentAt() == null) return subject + "message has no sentAt";
        if (message.text().length() > MAX_TEXT_CHARS) {
            return subject + "message is " + message.text().length() + " characters; the store's limit is "
                    + MAX_TEXT_CHARS;
        }
        return null;
    }

    @Override
    public CompletableFuture<List<Message>> before(String room, long beforeSeq, int limit) {
        return readMessages(room, SELECT_BEFORE, beforeSeq, limit, true);
    }

    @Override
    public CompletableFuture<List<Message>> after(String room, long afterSeq, int limit) {
        return readMessages(room, SELECT_AFTER, afterSeq, limit, false);
    }

    @Override
    public CompletableFuture<List<String>> recentRooms(int limit) {
        if (limit < 0) return negativeLimit(limit);
        return read("reading the " + limit + " most recently active rooms", connection -> {
            try (PreparedStatement select = connection.prepareStatement(SELECT_ACTIVE_ROOMS)) {
                select.setInt(1, limit);
                List<String> rooms = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) rooms.add(rows.getString(1));
                }
                return List.copyOf(rooms);
            }
        });
    }

    @Override
    public CompletableFuture<Map<String, Long>> lastSeqs(Collection<String> rooms) {
        List<String> names = List.copyOf(rooms);
        return read("reading the last seq of " + names.size() + " rooms", connection -> {
            Map<String, Long> last = new HashMap<>();
            try (PreparedStatement select = connection.prepareStatement(SELECT_LAST_SEQ)) {
                for (String room : names) {
                    select.setString(1, room);
                    try (ResultSet rows = select.executeQuery()) {
                        last.put(room, rows.next() ? rows.getLong(1) : 0L);
                    }
                }
            }
            return last;
        });
    }

    private CompletableFuture<List<Message>> readMessages(
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
                return List.copyOf(messages);
            }
        });
    }

    private static <T> CompletableFuture<T> negativeLimit(int limit) {
        return CompletableFuture.failedFuture(new IllegalArgumentException("limit is " + limit + "; it must be ≥ 0"));
    }

    private static Message message(ResultSet row) throws SQLException {
        return new Message(
                row.getString(1),
                row.getLong(2),
                row.getString(3),
                row.getString(4),
                row.getString(5),
                Instant.ofEpochMilli(row.getLong(6)));
    }

    private interface Query<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> CompletableFuture<T> read(String what, Query<T> query) {
        if (closed) return CompletableFuture.failedFuture(new IllegalStateException("store is closed"));
        try {
            return CompletableFuture.supplyAsync(
                    () -> {
                        try (Connection connection = pool.getConnection()) {
                            return query.run(connection);
                        } catch (SQLException e) {
                            throw new StoreException(what + " failed: " + e.getMessage(), e);
                        }
                    },
                    readers);
        } catch (RejectedExecutionException e) {
            // close() won the race between our check and the submit
            return CompletableFuture.failedFuture(new IllegalStateException("store is closed"));
        }
    }

    @Override
    public void close() {
        synchronized (submitLock) {
            if (!closed) {
                closed = true;
                queue.add(CLOSE);
            }
        }
        if (Thread.currentThread() == writer) {
            return; // called from a continuation of an append: the writer releases everything when it reaches CLOSE
        }
        boolean interrupted = false;
        while (writer.isAlive()) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                // the queued appends were accepted: finish writing them, then pass the interrupt on
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    @Override
    public String toString() {
        return "JdbcMessageStore[" + name + "]";
    }

    // ---- the writer thread ----

    private void writeUntilClosed() {
        List<Pending> batch = new ArrayList<>(settings.maxBatch());
        try {
            boolean closing = false;
            while (!closing) {
                batch.add(queue.take());
                queue.drainTo(batch, settings.maxBatch() - 1);
                if (batch.getLast() == CLOSE) { // nothing is queued after CLOSE, so it can only be last
                    batch.removeLast();
                    closing = true;
                }
                if (!batch.isEmpty()) write(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            // close() stops the writer through the queue and nothing here interrupts it, so an interrupt is
            // someone else asking it to stop. Refuse what is queued rather than leave those futures waiting forever.
            Thread.currentThread().interrupt();
            log.warn("{}: writer interrupted; refusing queued appends", name);
            refuseQueued(batch, new IllegalStateException("store is closed: its writer was interrupted"));
        } catch (Error e) {
            log.error("{}: writer stopped by {}; refusing queued appends", name, e, e);
            refuseQueued(batch, new IllegalStateException("store is closed: its writer stopped: " + e, e));
            throw e;
        } finally {
            release();
        }
    }

    /** Writes one batch in one transaction and completes or fails its futures. Never throws an Exception. */
    private void write(List<Pending> batch) {
        try {
            commit(batch);
        } catch (Exception e) {
            fail(batch, e);
            return;
        }
        if (lastFailure != null) {
            log.info("{}: writing again after failures ({})", name, lastFailure);
            lastFailure = null;
        }
        for (Pending pending : batch) {
            pending.future.complete(pending.stored());
        }
    }

    private void commit(List<Pending> batch) throws SQLException {
        // rooms in order of first appearance, each with its messages in queue order
        Map<String, RoomBatch> rooms = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            Pending pending = batch.get(i);
            RoomBatch room = rooms.computeIfAbsent(pending.message.room(), r -> new RoomBatch());
            room.messages.add(pending);
            room.lastIndex = i;
        }
        long firstActiveUs = Math.max(ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()), lastActiveUs + 1);

        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement claim = connection.prepareStatement(CLAIM_SEQS);
                    PreparedStatement insert = connection.prepareStatement(INSERT_MESSAGE)) {
                for (Map.Entry<String, RoomBatch> entry : rooms.entrySet()) {
                    String room = entry.getKey();
                    List<Pending> messages = entry.getValue().messages;
                    claim.setString(1, room);
                    claim.setLong(2, messages.size());
                    // a room's recency is that of its last message in the batch
                    claim.setLong(3, firstActiveUs + entry.getValue().lastIndex);
                    long lastSeq;
                    try (ResultSet claimed = claim.executeQuery()) {
                        if (!claimed.next()) {
                            throw new SQLException("room " + room + ": claiming sequence numbers returned no row");
                        }
                        lastSeq = claimed.getLong(1);
                    }
                    long seq = lastSeq - messages.size();
                    for (Pending pending : messages) {
                        pending.seq = ++seq;
                        NewMessage message = pending.message;
                        insert.setString(1, room);
                        insert.setLong(2, pending.seq);
                        insert.setString(3, message.authorId());
                        insert.setString(4, message.authorName());
                        insert.setString(5, message.text());
                        insert.setLong(6, message.sentAt().toEpochMilli());
                        insert.addBatch();
                    }
                }
                insert.executeBatch();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            }
        }
        lastActiveUs = firstActiveUs + batch.size() - 1;
    }

    private void fail(List<Pending> batch, Exception cause) {
        long roomCount = batch.stream().map(p -> p.message.room()).distinct().count();
        String reason = String.valueOf(cause.getMessage());
        if (reason.equals(lastFailure)) {
            // a dead database fails every batch the same way: one stack trace is enough
            log.warn(
                    "{}: batch of {} messages in {} rooms failed and was rolled back: {}",
                    name,
                    batch.size(),
                    roomCount,
                    reason);
        } else {
            log.warn(
                    "{}: batch of {} messages in {} rooms failed and was rolled back",
                    name,
                    batch.size(),
                    roomCount,
                    cause);
        }
        lastFailure = reason;
        for (Pending pending : batch) {
            pending.future.completeExceptionally(new StoreException("room " + pending.message.room()
                    + ": message not stored; the transaction for its batch of " + batch.size()
                    + " messages failed: " + reason, cause));
        }
    }

    private void refuseQueued(List<Pending> batch, RuntimeException reason) {
        synchronized (submitLock) {
            closed = true;
        }
        queue.drainTo(batch);
        for (Pending pending : batch) {
            if (pending != CLOSE) pending.future.completeExceptionally(reason);
        }
    }

    /** Run by the writer as it exits: readers first, so no read is cut off by the pool closing under it. */
    private void release() {
        readers.shutdown();
        try {
            if (!readers.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("{}: reads still running after 10 s; stopping them", name);
                readers.shutdownNow();
            }
        } catch (InterruptedException e) {
            readers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        pool.close();
        log.info("{}: closed", name);
    }

    /** One append on its way through the queue. {@code seq} is set by the writer inside the transaction. */
    private static final class Pending {
        final NewMessage message;
        final CompletableFuture<Message> future = new CompletableFuture<>();
        long seq;

        Pending(NewMessage message) {
            this.message = message;
        }

        Message stored() {
            return new Message(
                    message.room(),
                    seq,
                    message.authorId(),
                    message.authorName(),
                    message.text(),
                    message.sentAt().truncatedTo(ChronoUnit.MILLIS));
        }
    }

    private static final class RoomBatch {
        final List<Pending> messages = new ArrayList<>();
        int lastIndex;
    }
}
