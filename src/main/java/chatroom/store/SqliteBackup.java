package chatroom.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A consistent copy of a SQLite store, taken while its server runs ({@code chatroom backup FILE}).
 *
 * <p>How: {@code VACUUM INTO} on a {@link ReadOnlyDatabase} connection. It reads the whole database in one read
 * transaction, so the copy is the database as of one commit — never half a batch — while the server goes on
 * writing (WAL mode: readers and the writer do not wait for each other). The copy is compacted (space freed by
 * pruning is left out) and is a plain database file, complete without any {@code -wal} file: a server started
 * on it has the same messages, rooms and counters. It is written beside the target as {@code FILE.partial} and
 * renamed when complete, so a backup cut short never leaves a file that looks like a backup.
 *
 * <p>What it refuses whatever the flags: a target that is the database or a file beside it (that rename would
 * destroy the live database), and a database a server has open ({@link SqliteFileLock#keepServersOff}, held
 * until the rename so that no server opens the target meanwhile).
 */
public final class SqliteBackup {

    /** What a backup copied: the file, and what is in it. */
    public record Copied(Path file, long messages, long rooms, long bytes) {}

    private SqliteBackup() {}

    /**
     * The files SQLite and the store keep beside a database, with what each is: replacing any of them while the
     * database is open destroys it (a copy renamed over the database lies beside its old {@code -wal}, which
     * SQLite then replays into it).
     */
    private static final Map<String, String> COMPANIONS = companions();

    /**
     * Copies {@code dbFile} to {@code target}. An existing target is refused unless {@code replace}; a target
     * that is the database itself or one of its companion files (under any name: another spelling, a symlink,
     * a hard link), or a database a server has open, is refused whatever {@code replace} says.
     *
     * @throws StoreException naming the file when the database is missing, the target is refused, or the copy
     *     fails
     */
    public static Copied copy(Path dbFile, Path target, boolean replace) {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        refuseCompanion(dbFile, target, target.toAbsolutePath() + " is ");
        refuseCompanion(dbFile, partial, target.toAbsolutePath() + ": the copy is written first to " + partial
                + ", which is ");
        if (Files.isDirectory(target)) {
            throw new StoreException(target.toAbsolutePath() + " is a directory; give a file name");
        }
        List<Closeable> serversKeptOff = new ArrayList<>();
        try {
            for (Path name : names(target)) {
                serversKeptOff.add(SqliteFileLock.keepServersOff(name));
                if (Files.exists(name.resolveSibling(name.getFileName() + "-wal"))) {
                    throw new StoreException(target.toAbsolutePath() + " has a write-ahead log beside it ("
                            + name.getFileName() + "-wal: a program has it open, or one did not close it): SQLite"
                            + " would replay it into the copy; refused, stop that program or move the file and its"
                            + " -wal and -shm aside first");
                }
            }
            if (Files.exists(target) && !replace) {
                throw new StoreException(target.toAbsolutePath() + " already exists; give another file, or --force"
                        + " to replace it");
            }
            return copyTo(dbFile, target, partial);
        } finally {
            for (Closeable kept : serversKeptOff) {
                try {
                    kept.close();
                } catch (IOException e) {
                    // closing a read-only descriptor; the kernel drops its lock with it in any case
                }
            }
        }
    }

    private static Copied copyTo(Path dbFile, Path target, Path partial) {
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

    /**
     * Throws when {@code file} is {@code dbFile} or a companion of it: the same location once links and
     * {@code .}/{@code ..} are resolved, or the same file (device and inode) reached through a hard link.
     */
    private static void refuseCompanion(Path dbFile, Path file, String subject) {
        Path where = resolved(file);
        for (Map.Entry<String, String> companion : COMPANIONS.entrySet()) {
            Path live = dbFile.resolveSibling(dbFile.getFileName() + companion.getKey());
            if (where.equals(resolved(live)) || sameFile(file, live)) {
                throw new StoreException(subject + companion.getValue() + " ("
                        + dbFile.toAbsolutePath() + "): writing the copy there would destroy the live database;"
                        + " refused, give a file outside it");
            }
        }
    }

    /** The names a server could have opened {@code file} by: as given, and with every link resolved. */
    private static Set<Path> names(Path file) {
        Set<Path> names = new LinkedHashSet<>();
        names.add(file.toAbsolutePath().normalize());
        names.add(resolved(file));
        return names;
    }

    /** Where {@code file} is on disk: its real path, or its real directory and its name if it does not exist. */
    private static Path resolved(Path file) {
        Path absolute = file.toAbsolutePath();
        try {
            return absolute.toRealPath();
        } catch (IOException missing) {
            Path parent = absolute.getParent();
            try {
                return parent == null ? absolute.normalize() : parent.toRealPath().resolve(absolute.getFileName());
            } catch (IOException noParent) {
                return absolute.normalize();
            }
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static Map<String, String> companions() {
        Map<String, String> companions = new LinkedHashMap<>();
        companions.put("", "the database being backed up");
        companions.put("-wal", "the write-ahead log of the database being backed up");
        companions.put("-shm", "the shared-memory index of the database being backed up");
        companions.put("-journal", "the rollback journal of the database being backed up");
        companions.put(".lock", "the lock file of the database being backed up");
        return companions;
    }

    private static long count(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + table)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
