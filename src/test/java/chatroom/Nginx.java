package chatroom;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An nginx of the test's own, never the machine's service: its configuration, pid file, logs and
 * temporary files all live in a fresh directory, deleted when it stops, and it runs in the foreground
 * as this process's child ({@code daemon off}), so it works the same as root or not and leaves nothing
 * behind. The caller gives the {@code server} blocks (a site file as an operator would write it) and
 * the address it listens on; this wraps them in the smallest main configuration that runs them.
 */
public final class Nginx implements AutoCloseable {

    /** What to say when nginx is not installed: the tests that need it are skipped, not failed. */
    public static final String MISSING = "nginx is not installed (looked for -Dnginx.binary, /usr/sbin/nginx and nginx on"
            + " the PATH); the reverse-proxy tests need it: apt-get install nginx-light (./chatroom test does, as root)";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    public final Path dir;
    private final Process process;

    private Nginx(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /** The nginx binary: {@code -Dnginx.binary}, else Debian's {@code /usr/sbin/nginx}, else the PATH's. */
    public static Optional<Path> binary() {
        String chosen = System.getProperty("nginx.binary");
        if (chosen != null) {
            return Optional.of(Path.of(chosen)).filter(Files::isExecutable);
        }
        Path debian = Path.of("/usr/sbin/nginx");
        if (Files.isExecutable(debian)) {
            return Optional.of(debian);
        }
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(p -> !p.isEmpty())
                .map(p -> Path.of(p, "nginx"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** A TCP port free on every address now, for nginx to listen on. */
    public static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /**
     * Starts {@code binary} with {@code site} (http-level blocks: upstream, map, server) in a new directory
     * and returns once it accepts connections on {@code address}:{@code port}; fails with its error log if it
     * will not start.
     */
    public static Nginx start(Path binary, String site, String address, int port) throws IOException {
        Path dir = Files.createTempDirectory("nginx-test-");
        Files.writeString(dir.resolve("site.conf"), site);
        Files.writeString(dir.resolve("nginx.conf"), mainConfig(dir));
        Process process = new ProcessBuilder(binary.toString(), "-p", dir + "/", "-c", dir.resolve("nginx.conf").toString(),
                        "-e", dir.resolve("error.log").toString(), "-g", "daemon off;")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        Nginx nginx = new Nginx(dir, process);
        try {
            Await.until(() -> nginx.accepts(address, port), "nginx to accept connections on " + address + ":" + port,
                    START_TIMEOUT);
        } catch (RuntimeException | AssertionError e) {
            String log = nginx.log();
            nginx.close();
            throw new AssertionError("nginx did not start: " + e.getMessage() + "\n" + log, e);
        }
        return nginx;
    }

    /** The error log and anything nginx printed, for failure messages. */
    public String log() {
        StringBuilder log = new StringBuilder();
        for (String name : new String[] {"stdout.log", "error.log"}) {
            try {
                log.append(Files.readString(dir.resolve(name)));
            } catch (IOException e) {
                // not written yet
            }
        }
        return log.toString();
    }

    /** Stops nginx (SIGTERM: a fast shutdown of the master and its workers) and deletes its directory. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }

    private Boolean accepts(String address, int port) {
        if (!process.isAlive()) {
            throw new IllegalStateException("nginx exited with " + process.exitValue());
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getByName(address), port), 500);
            return Boolean.TRUE;
        } catch (IOException e) {
            return null;
        }
    }

    private static String mainConfig(Path dir) {
        // as root, workers would run as "nobody", which cannot enter this private directory
        String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
        return user + """
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events { worker_connections 512; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/client_body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    include %1$s/site.conf;
                }
                """.formatted(dir);
    }
}
