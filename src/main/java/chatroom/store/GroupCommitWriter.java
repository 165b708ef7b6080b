package chatroom.store;

import chatroom.metrics.Meters;
import chatroom.room.Message;
import chatroom.room.NewDeletion;
import chatroom.room.NewEvent;
import chatroom.room.RoomEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's one writer (group commit): a queue of appends and the thread that drains it. The thread takes
 * every append waiting, up to {@code maxBatch}, writes them in one transaction ({@link BatchTransaction}),
 * then completes their futures in queue order, so appends to a room complete in the order they were called.
 * A failed transaction fails the futures of its batch, and only those, with a {@link StoreException}; the
 * writer goes on with the next batch, on a fresh connection. {@link JdbcMessageStore} submits from any
 * thread and closes it.
 *
 * <p>The writer keeps one pooled connection, and {@link BatchTransaction} its prepared statements, from batch
 * to batch: taking a connection from the pool and preparing the statements again cost more than writing a
 * small batch. A connection that sat idle is checked before use, as the pool would check it, so the first
 * batch after a database restart goes to a fresh connection instead of failing on the old one.
 *
 * <p>Threading: {@link #submit} and {@link #close} from any thread; everything else on the writer thread.
 * <b>Hazard:</b> futures complete on the writer thread, so a continuation that blocks stalls every write of
 * the store.
 */
final class GroupCommitWriter {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** Put in the queue by {@link #close}: the writer stops when it reaches it, so everything before is written. */
    private static final Pending CLOSE = new Pending(null);

    /** The pool checks a connection idle for longer than this before handing it out; the writer does the same. */
    static final Duration IDLE_BEFORE_CHECK = Duration.ofMillis(500);

    private static final int VALIDATION_TIMEOUT_SECONDS = 5;

    private final Database database;
    private final int maxBatch;
    private final int maxQueued;
    private final Runnable onStopped;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** Makes "not closed, so queue it" one step, so nothing is queued behind {@link #CLOSE}. */
    private final Object submitLock = new Object();

    private volatile boolean closed; // written under submitLock
    private final Thread thread;

    // Writer thread only.
    private final BatchTransaction transaction;
    /** SQLite only: takes deleted text out of the WAL soon after the deletion; null on PostgreSQL. */
    private final DeletedTextScrubber scrubber;
    private String lastFailure;
    /** The writer's connection, kept between batches; null until the first and after a failure. */
    private Connection connection;
    private long connectionLastUsedNanos;

    /**
     * Starts the writer thread. {@code onStopped} runs on that thread as it exits, after the last batch: the
     * store releases its readers and pool there, so closing from a continuation cannot cut a write short.
     */
    GroupCommitWriter(Database database, int maxBatch, int maxQueued, long lastActiveUs, Runnable onStopped) {
        this.database = database;
        this.maxBatch = maxBatch;
        this.maxQueued = maxQueued;
        this.onStopped = onStopped;
        this.transaction = new BatchTransaction(database.dialect(), lastActiveUs);
        this.scrubber = DeletedTextScrubber.forStore(database);
        // daemon: a store nobody closed must not keep the JVM alive; close() is what drains the queue
        this.thread = Thread.ofPlatform()
                .name("store-writer " + database.name())
                .daemon(true)
                .unstarted(this::writeUntilClosed);
        thread.start();
    }

    /** Queues the append, or fails it at once if the store is closed or the queue is full. */
    CompletableFuture<RoomEvent> submit(NewEvent event) {
        Pending pending = new Pending(event);
        synchronized (submitLock) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("store is closed"));
            }
            int waiting = queue.size();
            if (waiting >= maxQueued) {
                return CompletableFuture.failedFuture(new StoreException("room " + event.room()
                        + ": message not stored; " + waiting + " messages are waiting to be written, the limit is "
                        + maxQueued));
            }
            queue.add(pending);
        }
        return pending.future;
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Refuses new appends, waits until every queued one is written, and returns once the writer has stopped.
     * Called from the writer thread itself (a continuation), it returns at once and the writer stops after
     * the current batch.
     */
    void close() {
        synchronized (submitLock) {
            if (!closed) {
                closed = true;
                queue.add(CLOSE);
            }
        }
        if (Thread.currentThread() == thread) return;
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                // the queued appends were accepted: finish writing them, then pass the interrupt on
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void writeUntilClosed() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        try {
            boolean closing = false;
            while (!closing) {
                batch.add(next());
                queue.drainTo(batch, maxBatch - 1);
                if (batch.getLast() == CLOSE) { // nothing is queued after CLOSE, so it can only be last
                    batch.removeLast();
                    closing = true;
                }
                if (!batch.isEmpty()) writeOrFail(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            // close() stops the writer through the queue and nothing here interrupts it, so an interrupt is
            // someone else asking it to stop. Refuse what is queued rather than leave those futures waiting forever.
            Thread.currentThread().interrupt();
            log.warn("{}: writer interrupted; refusing queued appends", database.name());
            refuseQueued(batch, new IllegalStateException("store is closed: its writer was interrupted"));
        } catch (Error e) {
            log.error("{}: writer stopped by {}; refusing queued appends", database.name(), e, e);
            refuseQueued(batch, new IllegalStateException("store is closed: its writer stopped: " + e, e));
            throw e;
        } finally {
            if (connection != null) returnToPool(connection);
            onStopped.run();
        }
    }

    /** The next append, waiting for it; while a scrub is due, waiting no longer than until then, and scrubbing. */
    private Pending next() throws InterruptedException {
        if (scrubber == null) return queue.take();
        while (true) {
            scrubber.scrubIfDue();
            long wait = scrubber.nanosUntilDue();
            if (wait < 0) return queue.take();
            Pending next = queue.poll(wait, TimeUnit.NANOSECONDS);
            if (next != null) return next;
        }
    }

    /**
     * {@link #write}, and should anything escape it (a bug in a driver or the pool), fails the batch's open
     * futures instead of letting the exception end the writer thread, which would leave every later append
     * waiting forever.
     */
    private void writeOrFail(List<Pending> batch) {
        try {
            write(batch);
        } catch (RuntimeException e) {
            log.error("{}: writing a batch of {} messages failed unexpectedly; going on", database.name(), batch.size(), e);
            for (Pending pending : batch) {
                pending.future.completeExceptionally(new StoreException("room " + pending.room()
                        + ": message not stored, or its outcome is unknown: " + e, e));
            }
        }
    }

    /** Writes one batch in one transaction and completes or fails its futures. Never throws an Exception. */
    private void write(List<Pending> batch) {
        Connection connection;
        try {
            connection = connection();
        } catch (SQLException e) {
            fail(batch, e);
            return;
        }
        long startedNanos = System.nanoTime();
        try {
            transaction.write(connection, batch);
        } catch (Exception e) {
            this.connection = null;
            discard(connection, e);
            fail(batch, e);
            return;
        }
        Meters.batchCommitted(batch.size(), System.nanoTime() - startedNanos);
        connectionLastUsedNanos = System.nanoTime();
        if (lastFailure != null) {
            log.info("{}: writing again after failures ({})", database.name(), lastFailure);
            lastFailure = null;
        }
        for (Pending pending : batch) {
            pending.committed();
            if (scrubber != null && pending.event instanceof NewDeletion) scrubber.deleted();
        }
    }

    /**
     * The kept connection, or a new one from the pool. One idle for longer than {@link #IDLE_BEFORE_CHECK}
     * is checked first, and dropped if it no longer works (the database restarted, a firewall cut it).
     */
    private Connection connection() throws SQLException {
        if (connection != null && System.nanoTime() - connectionLastUsedNanos > IDLE_BEFORE_CHECK.toNanos()) {
            boolean valid;
            try {
                valid = connection.isValid(VALIDATION_TIMEOUT_SECONDS);
            } catch (SQLException e) {
                valid = false;
            }
            if (!valid) {
                log.info("{}: the writer's connection stopped working while idle; taking a fresh one", database.name());
                database.pool().evictConnection(connection);
                connection = null;
            }
        }
        if (connection == null) connection = database.pool().getConnection();
        return connection;
    }

    /**
     * Rolls back and drops the connection of a failed batch, so the next batch starts on a fresh one. After a
     * failed commit a connection's state is not known: SQLite rolls the transaction back by itself when a
     * commit fails (disk full, I/O error) while the driver goes on as if one were open, so the next batch's
     * statements would autocommit one by one — stored, yet reported "not stored", and no longer all or
     * nothing. A broken PostgreSQL connection is dropped the same way. The pool closes an evicted connection
     * itself; closing it here as well would hand the pool a connection it has already let go.
     */
    private void discard(Connection connection, Exception failure) {
        try {
            connection.rollback();
        } catch (SQLException | RuntimeException rollbackFailure) {
            failure.addSuppressed(rollbackFailure);
        }
        database.pool().evictConnection(connection);
    }

    private void returnToPool(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            log.warn("{}: returning the writer's connection to the pool failed", database.name(), e);
        }
    }

    private void fail(List<Pending> batch, Exception cause) {
        Meters.batchFailed(batch.size());
        long roomCount = batch.stream().map(Pending::room).distinct().count();
        String reason = String.valueOf(cause.getMessage());
        if (reason.equals(lastFailure)) {
            // a dead database fails every batch the same way: one stack trace is enough
            log.warn(
                    "{}: batch of {} messages in {} rooms failed and was rolled back: {}",
                    database.name(),
                    batch.size(),
                    roomCount,
                    reason);
        } else {
            log.warn(
                    "{}: batch of {} messages in {} rooms failed and was rolled back",
                    database.name(),
                    batch.size(),
                    roomCount,
                    cause);
        }
        lastFailure = reason;
        for (Pending pending : batch) {
            pending.future.completeExceptionally(new StoreException("room " + pending.room()
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
}
