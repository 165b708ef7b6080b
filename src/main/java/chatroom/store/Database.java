package chatroom.store;

import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;

/**
 * An open database as a factory ({@link SqliteStore}, {@link PostgresStore}) hands it to {@link
 * JdbcMessageStore}: the pool, which SQL dialect it speaks, a name for log lines and errors (never a
 * password), what else must be released with it (the SQLite file's lock), and where the schema migrations
 * run: the pool itself, or on PostgreSQL connections of their own without the pool's timeouts, which suit
 * a chat write and would cut short an upgrade that rebuilds an index of a large table.
 */
record Database(String name, Dialect dialect, HikariDataSource pool, AutoCloseable alsoHeld, DataSource migrations) {

    /** Migrations on the pool's connections. */
    Database(String name, Dialect dialect, HikariDataSource pool, AutoCloseable alsoHeld) {
        this(name, dialect, pool, alsoHeld, pool);
    }

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
