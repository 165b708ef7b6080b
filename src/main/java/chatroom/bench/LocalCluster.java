package chatroom.bench;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Chatroom nodes started by the bench itself, as child processes of the jar it runs from, on free
 * loopback ports: in cluster mode (a fresh PostgreSQL database created on the machine's server and
 * dropped at the end, a fresh Redis key prefix deleted at the end, one shared secret), or one
 * embedded node (SQLite in a temporary directory). Also finds the Redis and PostgreSQL server
 * processes, so that their CPU can be counted with the nodes'.
 *
 * <p>Built and closed by one thread; the node output readers are daemon threads that copy each
 * node's output to its log file.
 */
final class LocalCluster implements AutoCloseable {

    /**
     * What {@code ./chatroom run} starts the JVM with ({@code ./chatroom java-opts}) on this JVM's version;
     * keep the two the same. The nodes run on this JVM.
     */
    static final String RUN_JVM_OPTIONS = "-XX:+UseSerialGC -Xms32m -Xmx256m -Xmn16m -XX:-ShrinkHeapInSteps"
            + " -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:MarkSweepDeadRatio=0 -XX:MaxDirectMemorySize=64m"
            + (Runtime.version().feature() >= 23 ? " -XX:TrimNativeHeapInterval=10000" : "");

    static final String USAGE = """
            nodes the bench starts itself (instead of --url):
              --nodes N               start N nodes of this jar on free ports, members spread round-robin over them
              --embedded              one node with SQLite instead of PostgreSQL + Redis (needs --nodes 1)
              --database-server URL   PostgreSQL where a fresh database is created and dropped
                                      (postgresql://127.0.0.1:5432/postgres?user=postgres: any existing database)
              --redis URL             Redis, used under a fresh key prefix (redis://127.0.0.1:6379)
              --node-jvm-opts "..."   JVM options of each node (those of ./chatroom run: ./chatroom java-opts)
              --node-flags="..."      extra server flags for each node (with '=': the value starts with --)
              --keep-logs             keep the nodes' logs (printed path) instead of deleting them
            """;

    private static final Pattern RUNNING = Pattern.compile("running at http://localhost:(\\d+)/");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    record Node(Process process, int port, Path log) {
        String urlTemplate() {
            return "ws://127.0.0.1:" + port + "/r/{room}/ws";
        }
    }

    private final List<Node> nodes = new ArrayList<>();
    private final Path dir;
    private final boolean keepLogs;
    private final String adminJdbcUrl;
    private final String databaseName;
    private final String redisUrl;
    private final String redisPrefix;
    /** The bench's own connection for looking at the server, in the admin database (not counted as ours). */
    private Connection watcher;

    private LocalCluster(Path dir, boolean keepLogs, String adminJdbcUrl, String databaseName, String redisUrl, String redisPrefix) {
        this.dir = dir;
        this.keepLogs = keepLogs;
        this.adminJdbcUrl = adminJdbcUrl;
        this.databaseName = databaseName;
        this.redisUrl = redisUrl;
        this.redisPrefix = redisPrefix;
    }

    /** Starts the nodes the options ask for; on any failure stops what was started and throws. */
    static LocalCluster start(BenchOptions options) throws Exception {
        int count = options.integer("nodes", 1);
        boolean embedded = options.has("embedded") && !options.string("embedded", "true").equals("false");
        String databaseServer = options.string("database-server", "postgresql://127.0.0.1:5432/postgres?user=postgres");
        String redisUrl = options.string("redis", "redis://127.0.0.1:6379");
        List<String> jvmOptions = words(options.string("node-jvm-opts", RUN_JVM_OPTIONS));
        List<String> extraFlags = words(options.string("node-flags", ""));
        boolean keepLogs = options.has("keep-logs");
        if (count < 1) {
            throw new IllegalArgumentException("--nodes is " + count + "; it must be at least 1");
        }
        if (embedded && count != 1) {
            throw new IllegalArgumentException("--embedded runs one node (SQLite is not shared); --nodes is " + count);
        }
        String random = HexFormat.of().formatHex(randomBytes(6));
        Path dir = Files.createTempDirectory("chatroom-bench-nodes");
        LocalCluster cluster = embedded
                ? new LocalCluster(dir, keepLogs, null, null, null, null)
                : new LocalCluster(dir, keepLogs, adminJdbcUrl(databaseServer), "chatroom_bench_" + random, redisUrl, "bench" + random);
        try {
            cluster.startNodes(count, jvmOptions, extraFlags, databaseServer);
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void startNodes(int count, List<String> jvmOptions, List<String> extraFlags, String databaseServer) throws Exception {
        String secret = Base64.getEncoder().encodeToString(randomBytes(32));
        String databaseUrl = null;
        if (databaseName != null) {
            admin("CREATE DATABASE " + databaseName);
            URI server = URI.create(databaseServer);
            databaseUrl = "postgresql://" + server.getRawAuthority() + "/" + databaseName
                    + (server.getRawQuery() == null ? "" : "?" + server.getRawQuery());
        }
        List<CompletableFuture<Integer>> ports = new ArrayList<>();
        List<Process> processes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path nodeDir = Files.createDirectory(dir.resolve("node" + (i + 1)));
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", absoluteClassPath(), "chatroom.Main",
                    "--host", "127.0.0.1", "--port", "0", "--db", nodeDir.resolve("chatroom.db").toString(), "--rate", "0"));
            if (databaseUrl != null) {
                command.addAll(List.of("--database", databaseUrl, "--redis", redisUrl, "--redis-prefix", redisPrefix,
                        "--node-id", "bench-node" + (i + 1), "--drain", "0s"));
            }
            command.addAll(extraFlags);
            ProcessBuilder builder = new ProcessBuilder(command).directory(nodeDir.toFile()).redirectErrorStream(true);
            if (databaseUrl != null) {
                builder.environment().put("CHATROOM_SECRET", secret);
            }
            Path log = nodeDir.resolve("node.log");
            Process process = builder.start();
            processes.add(process);
            logs.add(log);
            ports.add(copyOutputFindingPort(process, log));
        }
        for (int i = 0; i < count; i++) {
            Process process = processes.get(i);
            int port;
            try {
                port = ports.get(i).get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                processes.forEach(Process::destroyForcibly); // close() stops only the nodes listed so far
                throw new IllegalStateException("node " + (i + 1) + " did not start (waited up to " + START_TIMEOUT.toSeconds()
                        + " s); its log ends:\n" + tail(logs.get(i)), e);
            }
            nodes.add(new Node(process, port, logs.get(i)));
        }
    }

    List<Node> nodes() {
        return nodes;
    }

    boolean clustered() {
        return databaseName != null;
    }

    String databaseName() {
        return databaseName;
    }

    String redisPrefix() {
        return redisPrefix;
    }

    /** The redis-server process, from its own INFO. */
    long redisPid() {
        RedisClient client = RedisClient.create(redisUrl);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            Matcher pid = Pattern.compile("process_id:(\\d+)").matcher(connection.sync().info("server"));
            if (!pid.find()) {
                throw new IllegalStateException(redisUrl + ": INFO server names no process_id");
            }
            return Long.parseLong(pid.group(1));
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /**
     * The postmaster: the parent of a backend serving this run's database. PostgreSQL forks one
     * backend per connection, so the postmaster's process tree is the whole server.
     */
    long postgresPid() throws SQLException {
        long backend = ownBackends().stream().findFirst().orElseThrow(
                () -> new IllegalStateException(databaseName + ": no backend connected; are the nodes up?"));
        long postmaster = ServerProcess.parentOf(backend);
        String command = postmaster < 0 ? null : ServerProcess.commandOf(postmaster);
        if (command == null || !(command.startsWith("postgres") || command.startsWith("postmaster"))) {
            throw new IllegalStateException("backend " + backend + "'s parent " + postmaster + " (" + command
                    + ") is not a postmaster; is PostgreSQL on this machine, in this pid namespace?");
        }
        return postmaster;
    }

    /** The backends connected to this run's database now (the nodes' connection pools). */
    List<Long> ownBackends() throws SQLException {
        List<Long> pids = new ArrayList<>();
        if (watcher == null) {
            watcher = DriverManager.getConnection(adminJdbcUrl); // kept: a reading at a window's edge must be quick
        }
        try (PreparedStatement select = watcher.prepareStatement("SELECT pid FROM pg_stat_activity WHERE datname = ?")) {
            select.setString(1, databaseName);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    pids.add(rows.getLong(1));
                }
            }
        }
        return pids;
    }

    /** Per room named {@code roomPrefix}…: {count, max_seq} of its stored messages, in this run's database. */
    Map<String, Object> storedMessages(String roomPrefix) throws SQLException {
        Map<String, Object> rooms = new java.util.TreeMap<>();
        String query = "SELECT room, count(*), max(seq) FROM messages WHERE starts_with(room, ?) GROUP BY room";
        try (Connection db = DriverManager.getConnection(runJdbcUrl()); PreparedStatement select = db.prepareStatement(query)) {
            select.setString(1, roomPrefix);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    rooms.put(rows.getString(1), Map.of("count", rows.getLong(2), "max_seq", rows.getLong(3)));
                }
            }
        }
        return rooms;
    }

    /** The admin URL with this run's database in place of the admin one. */
    private String runJdbcUrl() {
        int hostStart = adminJdbcUrl.indexOf("://") + 3;
        int pathStart = adminJdbcUrl.indexOf('/', hostStart);
        int queryStart = adminJdbcUrl.indexOf('?', hostStart);
        String base = pathStart < 0 ? adminJdbcUrl.substring(0, queryStart < 0 ? adminJdbcUrl.length() : queryStart)
                : adminJdbcUrl.substring(0, pathStart);
        return base + "/" + databaseName + (queryStart < 0 ? "" : adminJdbcUrl.substring(queryStart));
    }

    /** Stops the nodes (SIGTERM, then SIGKILL), drops the database, deletes the key prefix and the logs. */
    @Override
    public void close() {
        for (Node node : nodes) {
            node.process().destroy();
        }
        for (Node node : nodes) {
            try {
                if (!node.process().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    node.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                node.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (watcher != null) {
            try {
                watcher.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
        if (databaseName != null) {
            try {
                admin("DROP DATABASE IF EXISTS " + databaseName + " WITH (FORCE)");
            } catch (RuntimeException e) {
                System.err.println("bench: " + e.getMessage());
            }
            try {
                deleteRedisKeys();
            } catch (RuntimeException e) {
                System.err.println("bench: " + redisUrl + ": could not delete the keys under " + redisPrefix + ": " + e);
            }
        }
        if (keepLogs) {
            System.err.println("bench: node logs kept in " + dir);
        } else {
            deleteRecursively(dir);
        }
    }

    private void deleteRedisKeys() {
        RedisClient client = RedisClient.create(redisUrl);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(redisPrefix + ":*").limit(1000));
                if (!page.getKeys().isEmpty()) {
                    redis.del(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private void admin(String sql) {
        try (Connection admin = DriverManager.getConnection(adminJdbcUrl); Statement statement = admin.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL: " + sql + " failed: " + e.getMessage(), e);
        }
    }

    /** postgresql://host:port/db?user=... as JDBC wants it (the form --database takes is the operators'). */
    private static String adminJdbcUrl(String databaseServer) {
        if (databaseServer.startsWith("jdbc:")) {
            return databaseServer;
        }
        if (!databaseServer.startsWith("postgresql://") && !databaseServer.startsWith("postgres://")) {
            throw new IllegalArgumentException("--database-server is '" + databaseServer
                    + "'; expected postgresql://HOST:PORT/DATABASE?user=NAME");
        }
        return "jdbc:postgresql://" + databaseServer.substring(databaseServer.indexOf("://") + 3);
    }

    private static CompletableFuture<Integer> copyOutputFindingPort(Process process, Path log) {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                    PrintWriter file = new PrintWriter(Files.newBufferedWriter(log), true)) {
                String line;
                while ((line = out.readLine()) != null) {
                    file.println(line);
                    Matcher running = RUNNING.matcher(line);
                    if (!port.isDone() && running.find()) {
                        port.complete(Integer.parseInt(running.group(1)));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IllegalStateException("the node exited (status "
                    + (process.isAlive() ? "?" : process.exitValue()) + ") before it was running"));
        }, "bench-node-output");
        reader.setDaemon(true);
        reader.start();
        return port;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** This JVM's class path (the jar), absolute: children run in directories of their own. */
    static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    private static List<String> words(String value) {
        return value.isBlank() ? List.of() : Arrays.asList(value.trim().split("\\s+"));
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("bench: could not delete " + root + ": " + e.getMessage());
        }
    }
}
