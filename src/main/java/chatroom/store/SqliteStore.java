package chatroom.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Opens a {@link JdbcMessageStore} on a SQLite file: the store for the embedded mode, one process, one file.
 * What is SQLite's lives here — the file path, the WAL journal, the pragmas and the durability they give.
 *
 * <p>Durability: WAL journal with {@code synchronous=FULL} by default ({@link Durability#POWER_LOSS_SAFE}):
 * each commit fsyncs the WAL before any future completes, so a message anyone has seen survives kill -9, a
 * kernel crash and power loss. {@code synchronous=NORMAL} ({@link Durability#PROCESS_CRASH_SAFE}) writes the
 * commit to the WAL in the OS page cache and fsyncs only at checkpoints: enough for kill -9 of the process,
 * not for power loss. FULL is the default because group commit makes it cheap: one fsync per batch, not per
 * message. Other pragmas: {@code busy_timeout} (so Flyway, a backup or a tool holding the lock delays a
 * batch instead of failing it at once) {@code foreign_keys=ON}, and {@code secure_delete=ON}
 * (a deleted message's text is overwritten with zeros in the file, not left in a free page).
 *
 * <p>One process per file: the store holds {@link SqliteFileLock} while it is open, and opening a file
 * another process has open fails at once, naming the file.
 */
public final class SqliteStore {

    private SqliteStore() {}

    /** How much a commit must survive before an append completes. */
    public enum Durability {
        /** fsync on every commit ({@code synchronous=FULL}): survives power loss. The default. */
        POWER_LOSS_SAFE,
        /** fsync at checkpoints only ({@code synchronous=NORMAL} in WAL mode): survives kill -9, not power loss. */
        PROCESS_CRASH_SAFE
    }

    /**
     * SQLite's own settings.
     *
     * @param busyTimeout how long a statement waits for a lock held by another connection
     */
    public record Options(Durability durability, Duration busyTimeout) {

        public Options {
            Objects.requireNonNull(durability, "durability");
            Objects.requireNonNull(busyTimeout, "busyTimeout");
        }

        public static Options defaults() {
            return new Options(Durability.POWER_LOSS_SAFE, Duration.ofSeconds(5));
        }

        public Options withDurability(Durability durability) {
            return new Options(durability, busyTimeout);
        }

        public Options withBusyTimeout(Duration busyTimeout) {
            return new Options(durability, busyTimeout);
        }
    }

    /** The file with the default options and settings, created if needed, its schema brought up to date. */
    public static JdbcMessageStore open(Path dbFile) {
        return open(dbFile, Options.defaults(), JdbcMessageStore.Settings.defaults());
    }

    /** As {@link #open(Path)}, with tuning: for the benchmark and for tests that need a short busy timeout. */
    public static JdbcMessageStore open(Path dbFile, Options options, JdbcMessageStore.Settings settings) {
        Path file = dbFile.toAbsolutePath();
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot create its directory", e);
        }
        SqliteFileLock lock = SqliteFileLock.acquire(file);
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setSynchronous(
                options.durability() == Durability.POWER_LOSS_SAFE
                        ? SQLiteConfig.SynchronousMode.FULL
                        : SQLiteConfig.SynchronousMode.NORMAL);
        sqlite.setBusyTimeout(Math.toIntExact(options.busyTimeout().toMillis()));
        sqlite.enforceForeignKeys(true);
        // a deleted message's text is overwritten in the file, not left in a free page
        sqlite.setPragma(SQLiteConfig.Pragma.SECURE_DELETE, "true");
        SQLiteDataSource source = new SQLiteDataSource(sqlite);
        source.setUrl("jdbc:sqlite:" + file);

        HikariConfig hikari = new HikariConfig();
        hikari.setDataSource(source);
        hikari.setPoolName("store " + file.getFileName());
        hikari.setMaximumPoolSize(settings.poolSize());
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(settings.connectionTimeout().toMillis());
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            closeQuietly(lock, e);
            throw e;
        }
        return JdbcMessageStore.open(new Database(file.toString(), Dialect.SQLITE, pool, lock), settings);
    }

    private static void closeQuietly(SqliteFileLock lock, Exception failure) {
        try {
            lock.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
