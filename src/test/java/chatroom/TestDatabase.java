package chatroom;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh, empty PostgreSQL database for one test class or test, created on the machine's server and dropped
 * by {@link #close}. The server is {@code 127.0.0.1:5432}, user {@code postgres} with trust authentication,
 * reached through its {@code test} database; set {@code CHATROOM_TEST_POSTGRES} (host:port) to use another.
 * Several test runs (and engineers) share that server, so every database has its own random name {@code
 * chatroom_t_…} and nothing else on the server is touched.
 *
 * <pre>{@code
 * try (var db = TestDatabase.create()) {
 *     var store = JdbcMessageStore.openPostgres(db.url());
 * }
 * }</pre>
 */
public final class TestDatabase implements AutoCloseable {

    /** host:port of the shared server. */
    public static final String SERVER = System.getenv().getOrDefault("CHATROOM_TEST_POSTGRES", "127.0.0.1:5432");

    private static final String ADMIN_URL = "jdbc:postgresql://" + SERVER + "/test?user=postgres";

    private final String name;

    private TestDatabase(String name) {
        this.name = name;
    }

    /** Creates {@code chatroom_t_<random>} on the shared server. */
    public static TestDatabase create() {
        String name = "chatroom_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        admin("CREATE DATABASE " + name);
        return new TestDatabase(name);
    }

    public String name() {
        return name;
    }

    /** The database in the form operators write: {@code postgresql://HOST:PORT/NAME?user=postgres}. */
    public String url() {
        return "postgresql://" + SERVER + "/" + name + "?user=postgres";
    }

    /** The database as a JDBC URL, for connecting to it directly from a test. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + SERVER + "/" + name + "?user=postgres";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    /** Drops the database, ending any session still connected to it. */
    @Override
    public void close() {
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static void admin(String sql) {
        try (Connection admin = DriverManager.getConnection(ADMIN_URL);
                Statement statement = admin.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + SERVER + ": " + sql + " failed: " + e.getMessage(), e);
        }
    }
}
