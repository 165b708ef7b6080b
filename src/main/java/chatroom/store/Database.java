package chatroom.store;

import com.zaxxer.hikari.HikariDataSource;

/**
 * An open database as a factory ({@link SqliteStore}, {@link PostgresStore}) hands it to {@link
 * JdbcMessageStore}: the pool, which SQL dialect it speaks, a name for log lines and errors (never a
 * password), and what else must be released with it (the SQLite file's lock).
 */
record Database(String name, Dialect dialect, HikariDataSource pool, AutoCloseable alsoHeld) {

    /** Closes the pool, then releases what else was held. Safe to call more than once. */
    void close() {
        pool.close();
        if (alsoHeld != null) {
            try {
                alsoHeld.close();
            } catch (Exception e) {
                throw new StoreException(name + ": cannot release " + alsoHeld + ": " + e.getMessage(), e);
            }
        }
    }
}
