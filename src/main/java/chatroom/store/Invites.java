package chatroom.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;

/**
 * Owner invitations written by the operator's {@code admin invite} beside a running server, on a
 * connection of its own: no {@link SqliteFileLock} (the server holds it), no migration (the server ran
 * them), one short transaction that SQLite's WAL and PostgreSQL let run beside the server's writes.
 */
public final class Invites {

    private Invites() {}

    /** Stores an invitation (its token's hash) good until {@code expiresMs}. */
    public static void create(Connection connection, String idHash, long nowMs, long expiresMs) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO invites (id_hash, role, created_ms, expires_ms) VALUES (?, 'owner', ?, ?)")) {
            insert.setString(1, idHash);
            insert.setLong(2, nowMs);
            insert.setLong(3, expiresMs);
            insert.executeUpdate();
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("invites")) {
                throw new StoreException("the database has no invites table yet: start this version of the server"
                        + " on it once (it upgrades the schema), then run admin invite again", e);
            }
            throw e;
        }
    }

    /** A connection that may write to the SQLite file while a server has it open. */
    public static Connection sqlite(Path dbFile) throws SQLException {
        if (!Files.isRegularFile(dbFile)) {
            throw new StoreException(dbFile.toAbsolutePath() + " does not exist: there is no SQLite database there"
                    + " (give the server's file with --db)");
        }
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setBusyTimeout(10_000);
        return sqlite.createConnection("jdbc:sqlite:" + dbFile.toAbsolutePath());
    }

    /** A connection to the PostgreSQL database at {@code url} (as {@code --database} takes it). */
    public static Connection postgres(String url) throws SQLException {
        return ReadOnlyDatabase.postgres(url, false);
    }
}
