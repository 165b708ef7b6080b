package chatroom.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A consistent copy of a SQLite store, taken while its server runs ({@code chatroom backup FILE}).
 *
 * <p>How: {@code VACUUM INTO} on a {@link ReadOnlyDatabase} connection. It reads the whole database in one read
 * transaction, so the copy is the database as of one commit — never half a batch — while the server goes on
 * writing (WAL mode: readers and the writer do not wait for each other). The copy is compacted (space freed by
 * pruning is left out) and is a plain database file, complete without any {@code -wal} file: a server started
 * on it has the same messages, rooms and counters. It is written beside the target as {@code FILE.partial} and
 * renamed when complete, so a backup cut short never leaves a file that looks like a backup.
 */
public final class SqliteBackup {

    /** What a backup copied: the file, and what is in it. */
    public record Copied(Path file, long messages, long rooms, long bytes) {}

    private SqliteBackup() {}

    /**
     * Copies {@code dbFile} to {@code target}. An existing target is refused unless {@code replace}.
     *
     * @throws StoreException naming the file when the database is missing, the target exists, or the copy fails
     */
    public static Copied copy(Path dbFile, Path target, boolean replace) {
        if (Files.exists(target) && !replace) {
            throw new StoreException(target.toAbsolutePath() + " already exists; give another file, or --force to"
                    + " replace it");
        }
        if (Files.isDirectory(target)) {
            throw new StoreException(target.toAbsolutePath() + " is a directory; give a file name");
        }
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try {
            Files.deleteIfExists(partial);
            try (Connection source = ReadOnlyDatabase.sqlite(dbFile);
                    PreparedStatement vacuum = source.prepareStatement("VACUUM INTO ?")) {
                vacuum.setString(1, partial.toAbsolutePath().toString());
                vacuum.execute();
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            try (Connection copy = ReadOnlyDatabase.sqlite(target)) {
                return new Copied(target, count(copy, "messages"), count(copy, "rooms"), Files.size(target));
            }
        } catch (SQLException | IOException e) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new StoreException(dbFile.toAbsolutePath() + ": cannot copy to " + target.toAbsolutePath() + ": "
                    + e.getMessage(), e);
        }
    }

    private static long count(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + table)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
