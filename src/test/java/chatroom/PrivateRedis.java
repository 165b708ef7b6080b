package chatroom;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of the test's own, for tests that kill, restart or otherwise hurt Redis; ordinary tests
 * use the machine's Redis with a random key prefix instead. It listens on a loopback port picked free at
 * start and keeps that port across {@link #restart()}, so clients reconnect to the same address. It
 * keeps nothing on disk: a restart comes back empty, as after a crash without persistence. Needs
 * {@code redis-server} and {@code redis-cli} on the PATH. (Redis reads {@code --port 0} as "no TCP at
 * all", which is why the port is chosen here rather than by the server.)
 */
public final class PrivateRedis implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final int port;
    private final Path dir;
    private Process process;

    private PrivateRedis(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    /** Starts a new server on a free loopback port and returns once it answers PING. */
    public static PrivateRedis start() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        PrivateRedis redis = new PrivateRedis(port, Files.createTempDirectory("private-redis-"));
        redis.launch();
        return redis;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Kills the server with SIGKILL, as a crash would, and waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("redis-server on port " + port + " survived SIGKILL for 10 s");
        }
    }

    /** Starts the server again on the same port, empty; returns once it answers PING. */
    public void restart() throws IOException {
        if (process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " is still running; kill() it first");
        }
        launch();
    }

    /** Runs redis-cli against this server and returns what it printed, one reply element per line. */
    public List<String> cli(String... args) throws IOException, InterruptedException {
        return cli(port, args);
    }

    /** Runs redis-cli against a Redis on 127.0.0.1 at {@code port}; for the machine's Redis too. */
    public static List<String> cli(int port, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!cli.waitFor(10, TimeUnit.SECONDS) || cli.exitValue() != 0) {
            throw new IllegalStateException("redis-cli " + String.join(" ", args) + " failed: " + out);
        }
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    private void launch() throws IOException {
        process = new ProcessBuilder(
                        "redis-server",
                        "--port", Integer.toString(port),
                        "--bind", "127.0.0.1",
                        "--save", "",
                        "--appendonly", "no",
                        "--dir", dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        Await.until(this::answersPing, "redis-server on port " + port + " to answer PING (log: " + dir.resolve("redis.log") + ")",
                START_TIMEOUT);
    }

    private Boolean answersPing() {
        if (!process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " exited with " + process.exitValue()
                    + "; see " + dir.resolve("redis.log"));
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int n = in.readNBytes(reply, 0, reply.length);
            return new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG") ? Boolean.TRUE : null;
        } catch (IOException e) {
            return null;
        }
    }
}
