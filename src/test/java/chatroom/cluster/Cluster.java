package chatroom.cluster;

import chatroom.Await;
import chatroom.ChildServer;
import chatroom.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Several Chatroom nodes in child JVMs sharing one fresh PostgreSQL database (dropped at the end) and
 * a Redis under a key prefix of their own, so that test runs never see each other. Nodes start with a
 * short tail check, so what the feed loses is found quickly. Fault tests give it a private Redis or a
 * private PostgreSQL database ({@code PrivateRedis}, {@code PrivatePostgres}) to kill and restart.
 */
final class Cluster implements AutoCloseable {

    /** The machine's Redis, shared by test runs that each take a key prefix of their own. */
    static final String MACHINE_REDIS = "redis://127.0.0.1:6379";

    final String redisPrefix = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    final List<ChildServer> nodes = new ArrayList<>();
    private final TestDatabase ownDatabase; // null on a private server, which the test owns
    private final String databaseUrl;
    private final String jdbcUrl;
    private final String redisUrl;
    private final String secret;
    private final Path dir;

    /** On a fresh database of the machine's PostgreSQL. */
    Cluster(String redisUrl) throws Exception {
        this(redisUrl, TestDatabase.create());
    }

    private Cluster(String redisUrl, TestDatabase database) throws Exception {
        this(redisUrl, database.url(), database.jdbcUrl(), database);
    }

    /** On a database the test made (and drops), e.g. on a {@code PrivatePostgres}. */
    Cluster(String redisUrl, String databaseUrl, String jdbcUrl) throws Exception {
        this(redisUrl, databaseUrl, jdbcUrl, null);
    }

    private Cluster(String redisUrl, String databaseUrl, String jdbcUrl, TestDatabase ownDatabase) throws Exception {
        this.redisUrl = redisUrl;
        this.databaseUrl = databaseUrl;
        this.jdbcUrl = jdbcUrl;
        this.ownDatabase = ownDatabase;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.secret = Base64.getEncoder().encodeToString(key);
        this.dir = Files.createTempDirectory("chatroom-cluster");
    }

    static Cluster start(int nodes, String... flags) throws Exception {
        Cluster cluster = new Cluster(MACHINE_REDIS);
        for (int i = 0; i < nodes; i++) {
            cluster.startNode(flags);
        }
        return cluster;
    }

    ChildServer startNode(String... flags) throws Exception {
        return startNode(Map.of(), flags);
    }

    ChildServer startNode(Map<String, String> env, String... flags) throws Exception {
        return startNode(databaseUrl, redisUrl, env, flags);
    }

    ChildServer startNode(String databaseUrl, String redis, Map<String, String> env, String... flags) throws Exception {
        Path nodeDir = Files.createTempDirectory(dir, "node");
        Map<String, String> environment = new java.util.HashMap<>(env);
        environment.put("CHATROOM_SECRET", secret);
        ChildServer node = ChildServer.start(nodeDir, environment, nodeArgs(databaseUrl, redis, flags));
        nodes.add(node);
        return node;
    }

    /** A node of this cluster on another Redis URL (a proxy in front of the same Redis, say). */
    ChildServer startNodeOn(String redis, String... flags) throws Exception {
        return startNode(databaseUrl, redis, Map.of(), flags);
    }

    /** Runs a node that is expected to stop by itself (refused at start), to the end. */
    ChildServer.Finished runNode(String... flags) throws Exception {
        List<String> all = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0"));
        all.addAll(List.of(nodeArgs(databaseUrl, redisUrl, flags)));
        return ChildServer.run(Map.of("CHATROOM_SECRET", secret), all.toArray(String[]::new));
    }

    /** Later flags win, so {@code flags} may override these (e.g. {@code --node-id}). */
    private String[] nodeArgs(String databaseUrl, String redis, String... flags) {
        List<String> all = new ArrayList<>(List.of(
                "--database", databaseUrl,
                "--redis", redis,
                "--redis-prefix", redisPrefix,
                "--node-id", "node" + (nodes.size() + 1),
                "--tail-check", "1s",
                "--drain", "0s",
                "--rate", "0"));
        all.addAll(List.of(flags));
        return all.toArray(String[]::new);
    }

    ChildServer node(int i) {
        return nodes.get(i);
    }

    /** A signed identity cookie from a running node, good on every node (they share the secret). */
    /** The shared database, for a test that writes what an admin verb or another node would. */
    String jdbcUrl() {
        return jdbcUrl;
    }

    String newVisitorCookie() throws Exception {
        ChildServer running = nodes.stream().filter(ChildServer::alive).findFirst().orElseThrow();
        String setCookie = running.get("/").headers().firstValue("set-cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    /** Waits until every running node answers {@code GET /readyz} with this status. */
    void awaitReadiness(int status, Duration timeout) {
        for (ChildServer node : nodes.stream().filter(ChildServer::alive).toList()) {
            Await.until(() -> {
                try {
                    return node.get("/readyz").statusCode() == status ? true : null;
                } catch (Exception e) {
                    throw new AssertionError("GET /readyz on port " + node.port, e);
                }
            }, "the node on port " + node.port + " to answer /readyz with " + status, timeout);
        }
    }

    /** A connection of the test's own to the nodes' PostgreSQL database, e.g. to hold a lock the nodes wait on. */
    Connection connectToDatabase() throws SQLException {
        return DriverManager.getConnection(jdbcUrl);
    }

    /** How many rows the room has, and its highest seq, read straight from PostgreSQL. */
    long[] countAndMaxSeq(String room) {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
                PreparedStatement select = c.prepareStatement("SELECT count(*), coalesce(max(seq), 0) FROM messages WHERE room = ?")) {
            select.setString(1, room);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return new long[] {rows.getLong(1), rows.getLong(2)};
            }
        } catch (SQLException e) {
            throw new AssertionError(jdbcUrl + ": cannot count the messages of " + room, e);
        }
    }

    /** How many rows of the room hold this text. */
    long rowsWithText(String room, String text) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
                PreparedStatement select = c.prepareStatement("SELECT count(*) FROM messages WHERE room = ? AND text = ?")) {
            select.setString(1, room);
            select.setString(2, text);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    @Override
    public void close() throws Exception {
        for (ChildServer node : nodes) {
            node.close();
        }
        if (ownDatabase != null) {
            ownDatabase.close();
        }
    }
}
