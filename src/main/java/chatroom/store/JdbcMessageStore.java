package chatroom.store;

import chatroom.account.AccountStore;
import chatroom.room.Message;
import chatroom.room.MessageStore;
import chatroom.room.NewEvent;
import chatroom.room.NewDeletion;
import chatroom.room.NewEdit;
import chatroom.room.NewMessage;
import chatroom.room.NewReaction;
import chatroom.room.Reaction;
import chatroom.room.RoomEvent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages in a database over JDBC: a SQLite file ({@link #openSqlite}) for one process, or PostgreSQL
 * ({@link #openPostgres}) shared by several nodes; the same SQL, migrations and writer on both. Rooms call it
 * through {@link MessageStore}; {@code Main} opens one per process and closes it last, after the rooms. It
 * owns the open {@link Database}, one {@link GroupCommitWriter} (appends) and the {@link MessageReads}.
 *
 * <p>Retried sends: an append with a {@link NewMessage#clientId} its author already used in the room stores
 * nothing and completes with the message stored the first time, even when the two race on two nodes (see
 * {@link BatchTransaction}).
 *
 * <p>Times: {@code sent_at_ms} is epoch milliseconds, the same BIGINT in SQLite and PostgreSQL, compared
 * as numbers, never parsed; so that the message an append completes with equals the one history returns,
 * its {@code sentAt} is truncated to milliseconds.
 *
 * <p>Threading: every method may be called from any thread and returns at once; the work runs on the
 * store's threads. Appends complete on the writer thread and reads on a reader thread. <b>Hazard:</b> a
 * continuation attached to an append runs on the writer thread — one that blocks stalls every write of the
 * store, so do real work with {@code thenApplyAsync} on your own executor.
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

    /** Longest client id the store accepts: ids come from the page, and the unique index holds each one. */
    public static final int MAX_CLIENT_ID_CHARS = 128;

    private static final Logger log = LoggerFactory.getLogger(JdbcMessageStore.class);

    /**
     * Tuning shared by both databases. {@link #defaults()} suits a chat server; the benchmark and tests
     * change single values.
     *
     * @param maxBatch most appends written in one transaction
     * @param maxQueued most appends waiting for the writer; beyond that append fails at once rather than
     *     letting a stalled database grow the queue without bound
     * @param readerThreads threads (and pooled connections) for reads
     * @param connectionTimeout how long a batch or a read waits for a connection (while the database is
     *     down, for instance) before it fails
     * @param statementTimeout PostgreSQL only: how long one statement, or a wait for a lock, may take
     *     ({@code statement_timeout}, {@code lock_timeout}); a connection whose server says nothing for
     *     twice this long is dropped ({@code socketTimeout}), so a frozen or vanished server cannot hold
     *     the writer in a socket read for good. Migrations are exempt
     */
    public record Settings(int maxBatch, int maxQueued, int readerThreads, Duration connectionTimeout,
            Duration statementTimeout) {

        public Settings {
            if (maxBatch < 1) throw new IllegalArgumentException("maxBatch is " + maxBatch + "; it must be ≥ 1");
            if (maxQueued < 1) throw new IllegalArgumentException("maxQueued is " + maxQueued + "; it must be ≥ 1");
            if (readerThreads < 1) {
                throw new IllegalArgumentException("readerThreads is " + readerThreads + "; it must be ≥ 1");
            }
            Objects.requireNonNull(connectionTimeout, "connectionTimeout");
            if (!statementTimeout.isPositive()) {
                throw new IllegalArgumentException("statementTimeout is " + statementTimeout + "; it must be above 0");
            }
        }

        public static Settings defaults() {
            return new Settings(512, 65_536, 2, Duration.ofSeconds(5), Duration.ofSeconds(5));
        }

        public Settings withStatementTimeout(Duration statementTimeout) {
            return new Settings(maxBatch, maxQueued, readerThreads, connectionTimeout, statementTimeout);
        }

        public Settings withMaxBatch(int maxBatch) {
            return new Settings(maxBatch, maxQueued, readerThreads, connectionTimeout, statementTimeout);
        }

        public Settings withMaxQueued(int maxQueued) {
            return new Settings(maxBatch, maxQueued, readerThreads, connectionTimeout, statementTimeout);
        }

        public Settings withConnectionTimeout(Duration connectionTimeout) {
            return new Settings(maxBatch, maxQueued, readerThreads, connectionTimeout, statementTimeout);
        }

        /**
         * Pooled connections: one for the writer, one per reader, one for the pruner and one for accounts (which
         * SQLite's checkpoint after a deletion borrows too), so nobody waits for a connection. The pool opens
         * them only when they are used.
         */
        int poolSize() {
            return readerThreads + 3;
        }
    }

    private final Database database;
    private final MessageReads reads;
    private final GroupCommitWriter writer;
    private final JdbcAccountStore accounts;
    private volatile MessagePruner pruner;

    /**
     * Opens (creating if needed) the SQLite file with the default settings and brings its schema up to date.
     * Pick it for the embedded mode: one process, one file. See {@link SqliteStore} for durability and tuning.
     */
    public static JdbcMessageStore openSqlite(Path dbFile) {
        return SqliteStore.open(dbFile);
    }

    /**
     * Opens the store on a PostgreSQL database ({@code postgresql://HOST:PORT/DB?user=U&password=P} or a
     * {@code jdbc:postgresql://} URL) with the default settings. Pick it for cluster mode: several nodes, one
     * database. See {@link PostgresStore}.
     */
    public static JdbcMessageStore openPostgres(String url) {
        return PostgresStore.open(url);
    }

    /**
     * The store on a database a factory has just opened ({@link SqliteStore}, {@link PostgresStore}): brings
     * its schema up to date and starts the threads. The store owns the database from here on, so if the
     * migrations or the first read fail, the database (its pool, the SQLite file's lock) is closed before
     * the failure is thrown.
     */
    static JdbcMessageStore open(Database database, Settings settings) {
        try {
            return new JdbcMessageStore(database, settings);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private JdbcMessageStore(Database database, Settings settings) {
        this.database = database;
        Flyway.configure()
                .dataSource(database.migrations())
                .locations(database.dialect().migrationLocations())
                .load()
                .migrate();
        long lastActiveUs;
        try (Connection connection = database.pool().getConnection();
                PreparedStatement select = connection.prepareStatement(Sql.SELECT_LAST_ACTIVE);
                ResultSet rows = select.executeQuery()) {
            rows.next();
            lastActiveUs = rows.getLong(1);
        } catch (SQLException e) {
            throw new StoreException(database.name() + ": cannot read the rooms table: " + e.getMessage(), e);
        }
        this.reads = new MessageReads(database, settings.readerThreads());
        this.accounts = new JdbcAccountStore(database);
        this.writer = new GroupCommitWriter(
                database, settings.maxBatch(), settings.maxQueued(), lastActiveUs, this::release);
        log.info("{}: opened ({}, batches of up to {})", database.name(), database.dialect(), settings.maxBatch());
    }

    @Override
    public CompletableFuture<RoomEvent> append(NewEvent event) {
        Objects.requireNonNull(event, "event");
        return switch (event) {
            case NewMessage message -> {
                String refusal = refusal(message);
                if (refusal != null) {
                    yield CompletableFuture.failedFuture(new IllegalArgumentException(refusal));
                }
                yield writer.submit(message);
            }
            case NewEdit edit -> {
                String refusal = refusal(edit.room(), edit.authorId(), edit.text(), edit.at(), edit.clientId());
                yield refusal != null ? CompletableFuture.failedFuture(new IllegalArgumentException(refusal)) : writer.submit(edit);
            }
            case NewDeletion deletion -> {
                String refusal = refusal(deletion.room(), deletion.byId(), "", deletion.at(), deletion.clientId());
                yield refusal != null ? CompletableFuture.failedFuture(new IllegalArgumentException(refusal)) : writer.submit(deletion);
            }
            case NewReaction reaction -> {
                String refusal = reaction.userName() == null ? "room " + reaction.room() + ": reaction has no userName"
                        : reaction.emoji() == null || reaction.emoji().length() > Reaction.MAX_EMOJI_CHARS
                                ? "room " + reaction.room() + ": reaction has no emoji, or a longer one than the store keeps"
                                : refusal(reaction.room(), reaction.userId(), "", reaction.at(), reaction.clientId());
                yield refusal != null ? CompletableFuture.failedFuture(new IllegalArgumentException(refusal)) : writer.submit(reaction);
            }
        };
    }

    /** Why the store would refuse this change, or null: checked before queueing so it fails alone. */
    private static String refusal(String room, String byId, String text, Instant at, String clientId) {
        if (room == null) return "change has no room";
        String subject = "room " + room + ": ";
        if (byId == null) return subject + "change has no author";
        if (text == null) return subject + "edit has no text";
        if (at == null) return subject + "change has no time";
        if (text.length() > MAX_TEXT_CHARS) {
            return subject + "edit is " + text.length() + " characters; the store's limit is " + MAX_TEXT_CHARS;
        }
        if (clientId != null && clientId.length() > MAX_CLIENT_ID_CHARS) {
            return subject + "clientId is " + clientId.length() + " characters; the store's limit is " + MAX_CLIENT_ID_CHARS;
        }
        return null;
    }

    /** Why the store would refuse this message, or null: checked before queueing so it fails alone. */
    private static String refusal(NewMessage message) {
        if (message.room() == null) return "message has no room";
        String subject = "room " + message.room() + ": ";
        if (message.authorId() == null) return subject + "message has no authorId";
        if (message.authorName() == null) return subject + "message has no authorName";
        if (message.text() == null) return subject + "message has no text";
        if (message.sentAt() == null) return subject + "message has no sentAt";
        if (message.replyTo() < 0) return subject + "message replies to seq " + message.replyTo();
        if (message.text().length() > MAX_TEXT_CHARS) {
            return subject + "message is " + message.text().length() + " characters; the store's limit is "
                    + MAX_TEXT_CHARS;
        }
        if (message.clientId() != null && message.clientId().length() > MAX_CLIENT_ID_CHARS) {
            return subject + "clientId is " + message.clientId().length() + " characters; the store's limit is "
                    + MAX_CLIENT_ID_CHARS;
        }
        return null;
    }

    @Override
    public CompletableFuture<List<Message>> before(String room, long beforeSeq, int limit) {
        if (writer.isClosed()) return closed();
        return reads.before(room, beforeSeq, limit);
    }

    /** The events after {@code afterSeq}: each stored message as the event that posted it, and each change to one. */
    @Override
    public CompletableFuture<List<RoomEvent>> after(String room, long afterSeq, int limit) {
        if (writer.isClosed()) return closed();
        return reads.after(room, afterSeq, limit);
    }

    /** How long a start-up check may wait for the database. */
    private static final Duration START_UP_CHECK = Duration.ofSeconds(10);

    /**
     * True when the database holds any message, private rooms included. Blocks: for start-up checks
     * only, before the server takes connections.
     */
    public boolean hasMessages() {
        try {
            return !reads.anyRoom().get(START_UP_CHECK.toSeconds(), TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            throw new StoreException(database.name() + ": cannot tell whether it holds messages: " + e.getMessage(), e);
        }
    }

    @Override
    public CompletableFuture<List<String>> recentRooms(int limit) {
        if (writer.isClosed()) return closed();
        return reads.recentRooms(limit);
    }

    @Override
    public CompletableFuture<Map<String, Long>> lastSeqs(Collection<String> rooms) {
        if (writer.isClosed()) return closed();
        return reads.lastSeqs(rooms);
    }

    private static <T> CompletableFuture<T> closed() {
        return CompletableFuture.failedFuture(new IllegalStateException("store is closed"));
    }

    /**
     * Starts deleting, in the background, the messages {@code retention} no longer keeps (see {@link
     * MessagePruner}); does nothing if it keeps everything. Call it once, after opening.
     */
    public void startPruning(Retention retention, Clock clock) {
        if (retention.keepsEverything()) return;
        if (pruner != null) throw new IllegalStateException(database.name() + ": already pruning");
        pruner = new MessagePruner(database, retention, clock);
        pruner.start();
    }

    @Override
    public void close() {
        MessagePruner running = pruner;
        if (running != null) running.close();
        writer.close();
    }

    /** Run by the writer as it exits: readers first, so no read is cut off by the pool closing under it. */
    private void release() {
        reads.stop();
        accounts.stop();
        database.close();
        log.info("{}: closed", database.name());
    }

    /** Accounts, passkeys and sessions, kept in the same database. */
    public AccountStore accounts() {
        return accounts;
    }

    @Override
    public String toString() {
        return "JdbcMessageStore[" + database.name() + "]";
    }
}
