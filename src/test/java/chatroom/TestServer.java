package chatroom;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real server on a random port, with its files in a fresh temporary directory. Every web test
 * starts one through here: {@code try (TestServer server = TestServer.start("--room-idle", "200ms"))}.
 */
public final class TestServer implements AutoCloseable {

    public final Path dir;
    public final Config config;
    private Server main;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private TestServer(Path dir, Config config) throws Exception {
        this.dir = dir;
        this.config = config;
        this.main = Main.start(config);
    }

    public static TestServer start(String... flags) throws Exception {
        Path dir = Files.createTempDirectory("chatroom-test");
        return startIn(dir, flags);
    }

    /** Starts a server whose database and secret live in {@code dir}, e.g. to restart over the same files. */
    public static TestServer startIn(Path dir, String... flags) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--host", "127.0.0.1", "--port", "0", "--db", dir.resolve("chatroom.db").toString()));
        args.addAll(List.of(flags));
        return new TestServer(dir, Config.parse(args.toArray(String[]::new), Map.of()));
    }

    public int port() {
        return main.port();
    }

    /** The metrics listener's port; the server must have been started with {@code --metrics-port 0}. */
    public int metricsPort() {
        return main.metricsPort();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    public URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + port() + path);
    }

    public HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> postForm(String path, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The server's /status counts, e.g. {@code status().get("connections")}. Asked from 127.0.0.2, an
     * address of this machine that is never a test's trusted proxy (127.0.0.1): /status answers only this
     * machine, and a trusted proxy never counts as it.
     */
    public Map<String, Integer> status() throws IOException, InterruptedException {
        String body;
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.bind(new java.net.InetSocketAddress("127.0.0.2", 0));
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port()), 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /status HTTP/1.1\r\nHost: 127.0.0.1:" + port()
                    + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String reply = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!reply.startsWith("HTTP/1.1 200")) {
                throw new AssertionError("/status answered " + reply.lines().findFirst().orElse("nothing"));
            }
            body = reply.substring(reply.indexOf("\r\n\r\n") + 4);
        }
        Map<String, Integer> counts = new java.util.HashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"(\\w+)\":(\\d+)").matcher(body);
        while (m.find()) {
            counts.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return counts;
    }

    /** Stops the server the way a restart does: sockets closed with 1012, pending writes stored. */
    public void stop() {
        if (main != null) {
            main.close();
            main = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
