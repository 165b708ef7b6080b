package chatroom.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a deleted message's text out of SQLite's write-ahead log soon after the deletion commits. With
 * {@code secure_delete} the deletion writes the page zeroed, but as a new WAL frame: the frames of the page
 * as it was stay in the -wal file, and the main file keeps the old page until a checkpoint copies the new
 * one over it. So after a batch that deleted text, the writer asks for a {@code wal_checkpoint(TRUNCATE)},
 * which does both: the main file's page is overwritten and the WAL emptied.
 *
 * <p>At most one checkpoint per {@link #SPACING}, so a burst of deletions costs one a second rather than one
 * a batch: the text is out of the files within about a second. A checkpoint that could not finish (a reader
 * still on an old snapshot) is tried again one spacing later. PostgreSQL needs none of this: see
 * {@code docs/ARCHITECTURE.md} on what a deletion removes there.
 *
 * <p>Writer thread only.
 */
final class DeletedTextScrubber {

    private static final Logger log = LoggerFactory.getLogger(DeletedTextScrubber.class);

    static final Duration SPACING = Duration.ofSeconds(1);

    private final Database database;
    private boolean due;
    private long lastNanos = System.nanoTime() - SPACING.toNanos();

    private DeletedTextScrubber(Database database) {
        this.database = database;
    }

    /** A scrubber for a SQLite store, or null for a store whose deletions leave nothing behind. */
    static DeletedTextScrubber forStore(Database database) {
        return database.dialect() == Dialect.SQLITE ? new DeletedTextScrubber(database) : null;
    }

    /** A batch that deleted text has committed. */
    void deleted() {
        due = true;
    }

    /** How long the writer may wait for the next append before {@link #scrubIfDue} must run; -1: no limit. */
    long nanosUntilDue() {
        if (!due) return -1;
        return Math.max(0, lastNanos + SPACING.toNanos() - System.nanoTime());
    }

    /** Checkpoints if a deletion is waiting and the last checkpoint is a spacing old. */
    void scrubIfDue() {
        if (nanosUntilDue() != 0) return;
        lastNanos = System.nanoTime();
        // a connection of its own in autocommit: the writer's keeps its transaction state between batches
        try (Connection connection = database.pool().getConnection();
                Statement sql = connection.createStatement();
                ResultSet result = sql.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
            boolean busy = result.next() && result.getInt(1) != 0;
            due = busy;
            if (busy) log.debug("{}: checkpoint after a deletion was busy; trying again", database.name());
        } catch (SQLException e) {
            log.warn("{}: checkpoint after a deletion failed; trying again: {}", database.name(), e.toString());
        }
    }
}
