package chatroom.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management port: {@code GET /metrics} in Prometheus's text format, nothing else. Bound to
 * {@code --metrics-host} (loopback unless told otherwise: the meters name rooms' counts and the
 * machine's insides, which are for operators, not visitors).
 *
 * <p>The JDK's own HTTP server on one daemon thread, not Netty: a scrape then never waits behind the
 * event loops it measures. When they are saturated or stuck, which is when an operator looks, the
 * scrape still answers and its queue-depth gauges show it. Scrapes come every few seconds, one at a
 * time; one thread is plenty.
 */
public final class MetricsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService thread;

    private MetricsServer(HttpServer server, ExecutorService thread) {
        this.server = server;
        this.thread = thread;
    }

    /** Listens on {@code host:port} (port 0 picks a free one); throws if it cannot bind. */
    public static MetricsServer start(String host, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(thread);
        server.createContext("/", MetricsServer::serve);
        server.start();
        return new MetricsServer(server, thread);
    }

    /** The port bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                answer(exchange, 404, "There is nothing here but /metrics.\n");
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                answer(exchange, 405, method + " is not allowed here; use GET.\n");
            } else {
                ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
                Meters.scrape(body);
                exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
                send(exchange, 200, body.toByteArray(), method.equals("HEAD"));
            }
        } catch (IOException | RuntimeException e) {
            log.warn("metrics: scrape from {} failed: {}", exchange.getRemoteAddress(), e.toString());
        }
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        send(exchange, status, text.getBytes(StandardCharsets.UTF_8), false);
    }

    private static void send(HttpExchange exchange, int status, byte[] body, boolean head) throws IOException {
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }
}
