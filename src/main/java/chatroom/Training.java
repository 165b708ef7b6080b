package chatroom;

import chatroom.bench.Bench;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run behind {@code ./chatroom run}'s start-up cache ({@code java -jar chatroom.jar train}): starts
 * a real server on a free port with a throw-away database, loads its pages, sends messages through a few rooms
 * with the load generator, stops it and exits. The JVM that runs it records which classes were loaded and
 * linked (and, from JDK 25 on, which methods ran hot) into the cache the script named; the next start maps
 * that cache and reaches full speed sooner. What is trained is the path every message takes — WebSocket,
 * room, store, rendering, fan-out — because a bare start would leave out most of what runs afterwards.
 */
final class Training {

    /** What a visitor's browser asks for besides the socket: the lobby, a room, scroll-back, an asset. */
    private static final String[] PAGES = {
        "/", "/r/training-0", "/r/training-1/messages?before=20", "/static/app.js", "/readyz"
    };

    /** How the training run starts its server: the dispatcher hands it {@code Main::start}. */
    interface Starter {
        Server start(Config config) throws Exception;
    }

    private Training() {}

    static void main(String[] args, Starter servers) throws Exception {
        run(servers);
        System.exit(0); // the JVM writes the cache as it exits; don't wait on stray daemon threads
    }

    /**
     * The workload, in this JVM. Throws if the server does not carry the messages to their room's page, so
     * that a training run that trained nothing fails, and the script starts without a cache.
     */
    static void run(Starter servers) throws Exception {
        Path dir = Files.createTempDirectory("chatroom-training");
        try {
            Config config = Config.parse(
                    new String[] {
                        "--host", "127.0.0.1",
                        "--port", "0",
                        "--db", dir.resolve("training.db").toString(),
                        "--rate", "0"
                    },
                    Map.of());
            try (Server server = servers.start(config)) {
                loadPages(server.port());
                Bench.run(
                        "fanout",
                        "--url", "ws://127.0.0.1:" + server.port() + "/r/{room}/ws",
                        "--rooms", "4",
                        "--members", "10",
                        "--senders", "2",
                        "--rate", "400/s",
                        "--warmup", "0s",
                        "--duration", "8s",
                        "--drain", "1s",
                        "--room-prefix", "training-");
                String room = loadPages(server.port());
                if (!room.contains("bx:")) {
                    throw new IllegalStateException("/r/training-0 shows none of the messages sent to it");
                }
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** Loads every page of {@link #PAGES}; returns the room page. */
    private static String loadPages(int port) throws IOException, InterruptedException {
        String room = null;
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (String path : PAGES) {
                HttpResponse<String> page = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (page.statusCode() != 200) {
                    throw new IllegalStateException(path + ": HTTP " + page.statusCode());
                }
                if (path.equals(PAGES[1])) room = page.body();
            }
        }
        return room;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(path);
        }
    }
}
