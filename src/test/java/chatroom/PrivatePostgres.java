package chatroom;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the test's own, for tests that stop, restart or crash the database (the machine's
 * shared server must never be touched that way). {@link #start} runs {@code initdb} on a new temporary
 * directory and {@code pg_ctl start} on a free loopback port; {@link #close} stops it with {@code -m
 * immediate} and deletes the directory. {@code initdb} refuses to run as root, so when the tests run as root
 * every command runs as the {@code postgres} user ({@code runuser -u postgres --}) on a directory that user
 * owns; as any other user the commands run directly. Trust authentication, superuser {@code postgres}.
 *
 * <pre>{@code
 * try (var pg = PrivatePostgres.start()) {
 *     String url = pg.createDatabase("chat");          // postgresql://127.0.0.1:PORT/chat?user=postgres
 *     ...
 *     pg.restartImmediately();                         // a crash and recovery, like kill -9 of the server
 * }
 * }</pre>
 *
 * Not thread-safe: one test thread drives it.
 */
public final class PrivatePostgres implements AutoCloseable {

    private static final long COMMAND_TIMEOUT_SECONDS = 120;
    private static final boolean AS_ROOT = "root".equals(System.getProperty("user.name"));

    private final Path dir;
    private final Path data;
    private final int port;

    private PrivatePostgres(Path dir, int port) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
    }

    /** Creates the cluster and starts the server; fails naming the command and its output. */
    public static PrivatePostgres start() throws IOException {
        Path dir = Files.createTempDirectory("chatroom-pg-");
        if (AS_ROOT) {
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
        }
        PrivatePostgres pg = new PrivatePostgres(dir, freePort());
        try {
            pg.run("initdb", "-D", pg.data.toString(), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8");
            pg.startServer();
        } catch (RuntimeException e) {
            pg.deleteDir();
            throw e;
        }
        return pg;
    }

    public int port() {
        return port;
    }

    /** Creates a database and returns its URL in the form operators write ({@code postgresql://…}). */
    public String createDatabase(String name) {
        try (Connection admin = DriverManager.getConnection(jdbcUrl("postgres"));
                Statement sql = admin.createStatement()) {
            sql.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("private PostgreSQL on port " + port + ": cannot create " + name, e);
        }
        return url(name);
    }

    public String url(String database) {
        return "postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    /** Stops the server at once (no shutdown checkpoint, sessions cut: what a crash looks like). */
    public void stopImmediately() {
        run("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop");
    }

    /** Starts it again on the same port, after crash recovery; returns once it accepts connections. */
    public void startServer() {
        run("pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1", "-w", "start");
    }

    /** {@link #stopImmediately} then {@link #startServer}: every session is cut and the server recovers. */
    public void restartImmediately() {
        stopImmediately();
        startServer();
    }

    /**
     * SIGSTOP to the server and every process of it (postmaster, backends, writers): it stands still with its
     * connections open, answering nothing, as a frozen VM or a stalled disk looks to its clients.
     */
    public void freeze() {
        for (long pid : processes()) ChildServer.signal(pid, "STOP");
    }

    /** SIGCONT after {@link #freeze}: the server goes on with what waited in its sockets. */
    public void thaw() {
        for (long pid : processes()) ChildServer.signal(pid, "CONT");
    }

    /** The postmaster's pid (the first line of postmaster.pid) and its children's. */
    private List<Long> processes() {
        long postmaster;
        try {
            postmaster = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).getFirst().trim());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("private PostgreSQL on port " + port + ": no postmaster.pid", e);
        }
        List<Long> pids = new ArrayList<>();
        pids.add(postmaster);
        ProcessHandle.of(postmaster).ifPresent(p -> p.descendants().forEach(child -> pids.add(child.pid())));
        return pids;
    }

    /** The server's log so far, for a failing test's message. */
    public String log() {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return "(no server log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) stopImmediately();
        } finally {
            deleteDir();
        }
    }

    private void run(String... command) {
        List<String> line = new ArrayList<>();
        if (AS_ROOT) line.addAll(List.of("runuser", "-u", "postgres", "--"));
        line.addAll(List.of(command));
        try {
            Process process = new ProcessBuilder(line)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            process.getOutputStream().close();
            // read the output before waiting: a full pipe would block the command
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", line) + ": still running after "
                        + COMMAND_TIMEOUT_SECONDS + " s\n" + output);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        String.join(" ", line) + ": exit " + process.exitValue() + "\n" + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", line) + ": cannot run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", line) + ": interrupted", e);
        }
    }

    private void deleteDir() {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is not worth failing a test for
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
