package chatroom;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server in a child JVM (same java, the test class path), for what only a separate process can
 * show: {@code kill -9}. Its database and secret live in the given directory.
 */
public final class ChildServer implements AutoCloseable {

    /** The line that says the server is up, as text or inside a JSON log line (which escapes each '/' as '\\/'). */
    private static final Pattern RUNNING = Pattern.compile("running at http:\\\\?/\\\\?/localhost:(\\d+)\\\\?/");

    /** The start line's "metrics on HOST:PORT". */
    private static final Pattern METRICS = Pattern.compile("metrics on [^ ,]+:(\\d+)");

    private final Process process;
    private final List<String> output;
    public final int port;

    private ChildServer(Process process, List<String> output, int port) {
        this.process = process;
        this.output = output;
        this.port = port;
    }

    public static ChildServer start(Path dir, String... flags) throws Exception {
        return start(dir, Map.of(), flags);
    }

    /** Starts a server with extra environment variables (such as {@code CHATROOM_SECRET}). */
    public static ChildServer start(Path dir, Map<String, String> env, String... flags) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"),
                "chatroom.Main",
                "--host", "127.0.0.1", "--port", "0", "--db", dir.resolve("chatroom.db").toString()));
        command.addAll(List.of(flags));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    System.err.println("[server " + process.pid() + "] " + line);
                    output.add(line);
                    Matcher m = RUNNING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (Exception e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IllegalStateException("server exited before it was running"));
        }, "server-process-output");
        reader.setDaemon(true);
        reader.start();
        return new ChildServer(process, output, port.get(30, TimeUnit.SECONDS));
    }

    /** The metrics listener's port, from the start line; the server must have been given {@code --metrics-port 0}. */
    public int metricsPort() {
        for (String line : output) {
            Matcher m = METRICS.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("no metrics listener in the start line: " + output);
    }

    /** Every line the server has printed so far (standard output and error), in order. */
    public List<String> output() {
        return List.copyOf(output);
    }

    /** How a command ended: its exit status and everything it printed. */
    public record Finished(int exitCode, String out, String err) {}

    /**
     * Runs {@code chatroom.Main ARGS} (such as {@code backup FILE} or {@code export ROOM}) in a child JVM to the
     * end, as an operator runs it beside a server.
     */
    public static Finished run(String... args) throws Exception {
        return run(Map.of(), args);
    }

    /** {@link #run(String...)} with extra environment variables, e.g. a cluster node that is expected to stop by itself. */
    public static Finished run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"),
                "chatroom.Main"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("chatroom-command", ".out");
        Path err = Files.createTempFile("chatroom-command", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("chatroom " + String.join(" ", args) + " did not finish within 120 s");
            }
            return new Finished(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    public URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** A GET to this server. */
    public HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM: the server runs its shutdown hook (drains, closes its sockets with 1012, finishes writes). */
    public void terminate() {
        // through the handle: Process.destroy() also closes our end of its output, losing what it logs as it stops
        process.toHandle().destroy();
    }

    public void awaitExit() throws InterruptedException {
        process.waitFor(60, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the whole process stands still, its sockets open, as a node does in a long pause or a frozen VM. */
    public void pause() {
        signal(process.pid(), "STOP");
    }

    /** SIGCONT after {@link #pause}: the node goes on from where it stood, with what waited in its sockets. */
    public void resume() {
        signal(process.pid(), "CONT");
    }

    /** Sends {@code kill -NAME pid}; fails naming the process and the signal. */
    public static void signal(long pid, String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).redirectErrorStream(true).start();
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("kill -" + name + " " + pid + ": cannot run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("kill -" + name + " " + pid + ": interrupted", e);
        }
    }

    /** Waits up to {@code timeout} for the server to stop by itself; its exit status. */
    public int awaitExitCode(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("server pid " + process.pid() + " still running after " + timeout.toSeconds() + " s");
        }
        return process.exitValue();
    }

    /** kill -9: no shutdown hook, no flushing, nothing. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
