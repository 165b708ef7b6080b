package chatroom.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The management port under clients that hold a connection without finishing a request: half a request
 * and silence, more of them than the listener keeps, or one byte a second. Every scrape is still answered
 * while they wait, and the listener closes each of them once its request timeout has passed.
 */
class MetricsServerStallTest {

    private static final byte[] HALF_A_REQUEST =
            "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII);
    /** How long past the request timeout a stalled connection may stay open on a loaded machine. */
    private static final Duration SLACK = Duration.ofSeconds(20);

    @Test
    void scrapes_are_answered_while_more_connections_than_the_listener_keeps_sit_on_half_a_request()
            throws Exception {
        try (TestServer server = TestServer.start("--metrics-port", "0")) {
            int port = server.metricsPort();
            List<Socket> stalled = new ArrayList<>();
            try {
                // given more stalled connections than the listener keeps at once
                for (int i = 0; i < MetricsServer.MAX_CONNECTIONS + 16; i++) {
                    Socket socket = new Socket("127.0.0.1", port);
                    socket.getOutputStream().write(HALF_A_REQUEST);
                    socket.getOutputStream().flush();
                    stalled.add(socket);
                }
                long stalledAt = System.nanoTime();

                // then every scrape is answered, each within Scrape's own 10 s deadline
                for (int i = 0; i < 20; i++) {
                    assertThat(Scrape.of(port).has("jvm_threads_live_threads")).as("scrape %d", i).isTrue();
                }

                // and the listener closes every stalled connection, at the latest once its timeout has passed
                for (Socket socket : stalled) {
                    assertThat(closedByServer(socket, MetricsServer.REQUEST_TIMEOUT.plus(SLACK)))
                            .as("stalled connection %d closed", stalled.indexOf(socket))
                            .isTrue();
                }
                Duration took = Duration.ofNanos(System.nanoTime() - stalledAt);
                assertThat(took).isLessThan(MetricsServer.REQUEST_TIMEOUT.plus(SLACK));
                assertThat(Scrape.of(port).has("jvm_threads_live_threads")).as("a scrape after").isTrue();
            } finally {
                for (Socket socket : stalled) socket.close();
            }
        }
    }

    @Test
    void a_client_that_trickles_a_byte_a_second_is_closed_at_the_request_timeout_and_blocks_no_scrape()
            throws Exception {
        try (TestServer server = TestServer.start("--metrics-port", "0");
                Socket slowloris = new Socket("127.0.0.1", server.metricsPort())) {
            int port = server.metricsPort();
            byte[] request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
            AtomicBoolean trickling = new AtomicBoolean(true);
            AtomicInteger sent = new AtomicInteger();
            long startedAt = System.nanoTime();
            Thread trickler = Thread.ofPlatform().start(() -> {
                try {
                    OutputStream out = slowloris.getOutputStream();
                    for (int i = 0; trickling.get(); i++) {
                        out.write(request[Math.min(i, request.length - 1)]);
                        out.flush();
                        sent.incrementAndGet();
                        Thread.sleep(1000); // the attack's own pace: one byte a second
                    }
                } catch (IOException | InterruptedException e) {
                    // the server closed the connection: what the test waits for
                }
            });
            try {
                // every scrape is answered while it trickles
                long untilNanos = System.nanoTime() + MetricsServer.REQUEST_TIMEOUT.toNanos() / 2;
                int scrapes = 0;
                while (System.nanoTime() < untilNanos || scrapes < 5) {
                    assertThat(Scrape.of(port).has("jvm_threads_live_threads")).as("scrape %d", scrapes++).isTrue();
                }

                // and the server closes it though a byte keeps arriving, near the request timeout
                assertThat(closedByServer(slowloris, MetricsServer.REQUEST_TIMEOUT.plus(SLACK))).isTrue();
                Duration open = Duration.ofNanos(System.nanoTime() - startedAt);
                assertThat(open).isLessThan(MetricsServer.REQUEST_TIMEOUT.plus(SLACK));
                assertThat(sent.get()).as("bytes trickled before the close").isGreaterThanOrEqualTo(2);
            } finally {
                trickling.set(false);
                trickler.interrupt();
                trickler.join();
            }
        }
    }

    /** Waits up to {@code deadline} for the server to close {@code socket}: end of stream, or a reset. */
    private static boolean closedByServer(Socket socket, Duration deadline) throws IOException {
        socket.setSoTimeout(Math.toIntExact(deadline.toMillis()));
        InputStream in = socket.getInputStream();
        try {
            while (true) {
                if (in.read() < 0) return true; // anything before the end (an error page) is allowed
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }
}
