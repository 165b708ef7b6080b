package chatroom.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Opens a {@link JdbcMessageStore} on PostgreSQL: the store for cluster mode, where several nodes share one
 * database. Pick it when more than one process serves the same rooms; each node opens its own store on the
 * same database, and the seq claim on each room's row ({@link BatchTransaction}) keeps numbering gap-free
 * and commit-ordered across them. What is PostgreSQL's lives here: the URL, {@code synchronous_commit=on}
 * (a commit is on the server's disk before an append completes), and failing fast when the server is
 * unreachable at start-up.
 *
 * <p>Outages after start-up: the pool drops a connection that failed, so while the server is down each
 * batch fails (its senders are told the message was not sent) after at most {@link
 * JdbcMessageStore.Settings#connectionTimeout}, and the first batch after the server is back gets a fresh
 * connection and succeeds; the process needs no restart. A server that stops answering without closing
 * its connections (frozen, or cut off by the network) is bounded by {@link
 * JdbcMessageStore.Settings#statementTimeout}: each statement and lock wait has it as its limit on the
 * server, and a connection silent for twice as long is dropped by the driver. Senders do not wait for
 * either: their room tells them "not sent" after the store timeout in any case.
 */
public final class PostgresStore {

    /** How long start-up waits for the server to answer before it reports it unreachable. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private PostgresStore() {}

    /**
     * Opens the store on the database at {@code url} ({@code postgresql://HOST:PORT/DB?user=U&password=P} or
     * {@code jdbc:postgresql://HOST:PORT/DB?…}) and brings its schema up to date.
     *
     * @throws IllegalArgumentException if the URL is malformed
     * @throws StoreException if the server cannot be reached or refuses the connection
     */
    public static JdbcMessageStore open(String url) {
        return open(url, JdbcMessageStore.Settings.defaults());
    }

    /** As {@link #open(String)}, with tuning. */
    public static JdbcMessageStore open(String url, JdbcMessageStore.Settings settings) {
        PostgresUrl address = PostgresUrl.parse(url);
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(address.jdbcUrl());
        if (address.user() != null) hikari.setUsername(address.user());
        if (address.password() != null) hikari.setPassword(address.password());
        hikari.setPoolName("store " + address);
        hikari.setMaximumPoolSize(settings.poolSize());
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(settings.connectionTimeout().toMillis());
        hikari.addDataSourceProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT.toSeconds()));
        hikari.addDataSourceProperty("loginTimeout", String.valueOf(CONNECT_TIMEOUT.toSeconds()));
        // the server gives up on a statement first and says so; the driver's own limit, for a server that
        // says nothing at all, is twice that, in whole seconds as pgjdbc takes it
        long statementMs = settings.statementTimeout().toMillis();
        hikari.addDataSourceProperty("socketTimeout", String.valueOf(Math.max(1, (2 * statementMs + 999) / 1000)));
        // a batch's inserts go to the server as multi-row INSERTs: one round trip instead of one per message
        hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
        hikari.setConnectionInitSql("SET synchronous_commit = on; SET statement_timeout = " + statementMs
                + "; SET lock_timeout = " + statementMs);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new StoreException(
                    "PostgreSQL at " + address.host() + ":" + address.port() + " (database " + address.database()
                            + "): cannot connect: " + cause.getMessage(),
                    cause);
        }
        return JdbcMessageStore.open(
                new Database("PostgreSQL " + address, Dialect.POSTGRESQL, pool, null, migrations(address)), settings);
    }

    /**
     * Connections for the schema migrations alone, without the pool's timeouts: an upgrade that rebuilds an
     * index runs as long as the table is large, and must not be cancelled at a chat write's limit.
     */
    private static PGSimpleDataSource migrations(PostgresUrl address) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(address.jdbcUrl());
        if (address.user() != null) source.setUser(address.user());
        if (address.password() != null) source.setPassword(address.password());
        source.setConnectTimeout(Math.toIntExact(CONNECT_TIMEOUT.toSeconds()));
        return source;
    }
}
