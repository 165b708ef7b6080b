package chatroom.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.sqlite.SQLiteConfig;

/**
 * One read-only connection to a store's database, for the operator's commands ({@link SqliteBackup}, {@link
 * RoomExport}) that run beside a server using it. It takes no {@link SqliteFileLock} (that would refuse to open
 * while the server runs, or keep the server from starting), runs no migration, and cannot write: in SQLite's
 * WAL mode and under PostgreSQL's MVCC its reads neither wait for the server's writes nor hold them up.
 */
public final class ReadOnlyDatabase {

    /** How long a statement waits if SQLite is briefly locked (a checkpoint, a prune batch). */
    private static final Duration BUSY_TIMEOUT = Duration.ofSeconds(10);

    private ReadOnlyDatabase() {}

    /** The SQLite file {@code dbFile}, which must exist; a missing file is not created. */
    public static Connection sqlite(Path dbFile) throws SQLException {
        if (!Files.isRegularFile(dbFile)) {
            throw new StoreException(dbFile.toAbsolutePath() + " does not exist: there is no SQLite database there"
                    + " (give the server's file with --db)");
        }
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setReadOnly(true);
        sqlite.setBusyTimeout(Math.toIntExact(BUSY_TIMEOUT.toMillis()));
        return sqlite.createConnection("jdbc:sqlite:" + dbFile.toAbsolutePath());
    }

    /** The PostgreSQL database at {@code url} (as {@code --database} takes it), in read-only mode. */
    public static Connection postgres(String url) throws SQLException {
        return postgres(url, true);
    }

    /** The same, writable when {@code readOnly} is false (the operator's {@link Invites}). */
    static Connection postgres(String url, boolean readOnly) throws SQLException {
        PostgresUrl address = PostgresUrl.parse(url);
        Properties properties = new Properties();
        if (address.user() != null) properties.setProperty("user", address.user());
        if (address.password() != null) properties.setProperty("password", address.password());
        properties.setProperty("connectTimeout", String.valueOf(PostgresStore.CONNECT_TIMEOUT.toSeconds()));
        properties.setProperty("readOnly", String.valueOf(readOnly));
        try {
            return DriverManager.getConnection(address.jdbcUrl(), properties);
        } catch (SQLException e) {
            throw new StoreException("PostgreSQL at " + address.host() + ":" + address.port() + " (database "
                    + address.database() + "): cannot connect: " + e.getMessage(), e);
        }
    }
}
