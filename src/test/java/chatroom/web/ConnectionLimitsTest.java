package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatroom.Await;
import chatroom.TestServer;
import chatroom.WsClient;
import chatroom.web.HttpProtocolTest.RawHttp;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.net.http.WebSocketHandshakeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * What one client, or many at once, can hold: requests that never finish, idle kept-alive connections,
 * sockets per address and in all, and a listener that cannot accept.
 */
class ConnectionLimitsTest {

    @Test
    void a_half_sent_request_is_closed_after_the_request_timeout() throws Exception {
        try (TestServer server = TestServer.start("--request-timeout", "300ms");
                RawHttp raw = RawHttp.connect(server)) {
            // when the request's head never ends
            raw.send("GET / HTTP/1.1\r\nHost: " + raw.host + "\r\nX-Slow: ");
            // then the server closes the connection well before the client would give up
            long start = System.nanoTime();
            assertThat(raw.closedByServer()).as("closed by the server").isTrue();
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
        }
    }

    @Test
    void a_half_sent_websocket_upgrade_is_closed_after_the_request_timeout() throws Exception {
        try (TestServer server = TestServer.start("--request-timeout", "300ms");
                RawHttp raw = RawHttp.connect(server)) {
            // when
            raw.send("GET /r/x/ws HTTP/1.1\r\nHost: " + raw.host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
            // then
            assertThat(raw.closedByServer()).as("closed by the server").isTrue();
        }
    }

    @Test
    void a_kept_alive_connection_without_a_new_request_is_closed_after_the_idle_timeout() throws Exception {
        try (TestServer server = TestServer.start("--http-idle", "300ms", "--request-timeout", "5s");
                RawHttp raw = RawHttp.connect(server)) {
            // given one answered request on a kept-alive connection
            raw.send("GET /status HTTP/1.1\r\nHost: " + raw.host + "\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(200);
            // when nothing more is sent, then
            assertThat(raw.closedByServer()).as("closed by the server").isTrue();
        }
    }

    @Test
    void a_kept_alive_connection_serves_requests_for_longer_than_the_request_timeout() throws Exception {
        try (TestServer server = TestServer.start("--request-timeout", "200ms");
                RawHttp raw = RawHttp.connect(server)) {
            long until = System.nanoTime() + 600_000_000L;
            while (System.nanoTime() < until) {
                raw.send("GET /status HTTP/1.1\r\nHost: " + raw.host + "\r\n\r\n");
                assertThat(raw.read().status()).isEqualTo(200);
            }
        }
    }

    @Test
    void the_socket_over_the_per_address_cap_is_refused_with_429_and_a_closed_one_frees_its_place() throws Exception {
        // the test's sockets come through a "proxy" on 127.0.0.1 for one remote address
        try (TestServer server = TestServer.start("--max-sockets-per-ip", "3", "--trusted-proxies", "127.0.0.1")) {
            List<WsClient> open = new ArrayList<>();
            try {
                // given three sockets from one address
                for (int i = 0; i < 3; i++) {
                    open.add(WsClient.connect(server.ws("/r/cap/ws"), FROM_ONE_ADDRESS));
                }
                // when a fourth asks, then
                assertThat(refusal(() -> WsClient.connect(server.ws("/r/cap/ws"), FROM_ONE_ADDRESS))).isEqualTo(429);
                // when one closes, then a new one gets its place
                open.remove(0).close();
                WsClient again = Await.until(() -> connectOrNull(server), "a place to free up");
                open.add(again);
            } finally {
                open.forEach(WsClient::close);
            }
        }
    }

    @Test
    void this_machine_is_not_capped_per_address_only_overall() throws Exception {
        try (TestServer server = TestServer.start("--max-sockets-per-ip", "1", "--max-connections", "3")) {
            try (WsClient one = WsClient.connect(server.ws("/r/local/ws"));
                    WsClient two = WsClient.connect(server.ws("/r/local/ws"));
                    WsClient three = WsClient.connect(server.ws("/r/local/ws"))) {
                assertThat(refusal(() -> WsClient.connect(server.ws("/r/local/ws")))).isEqualTo(503);
            }
        }
    }

    @Test
    void a_burst_of_concurrent_upgrades_never_opens_more_sockets_than_max_connections() throws Exception {
        int max = 5;
        int burst = 40;
        try (TestServer server = TestServer.start("--max-connections", String.valueOf(max), "--max-sockets-per-ip", "1000")) {
            ExecutorService clients = Executors.newFixedThreadPool(burst);
            List<CompletableFuture<WsClient>> attempts = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                attempts.add(CompletableFuture.supplyAsync(() -> WsClient.connect(server.ws("/r/burst/ws")), clients));
            }
            List<WsClient> opened = new ArrayList<>();
            List<Integer> refusals = new ArrayList<>();
            for (CompletableFuture<WsClient> attempt : attempts) {
                try {
                    opened.add(attempt.join());
                } catch (CompletionException e) {
                    refusals.add(refusal(() -> {
                        throw e;
                    }));
                }
            }
            clients.shutdown();
            opened.forEach(WsClient::close);
            assertThat(opened).hasSize(max);
            assertThat(refusals).hasSize(burst - max).containsOnly(503);
        }
    }

    @Test
    void a_file_limit_below_what_max_connections_needs_is_one_clear_warning() {
        assertThat(WebServer.fileLimitWarning(1024, 100_000)).hasValueSatisfying(warning -> assertThat(warning)
                .startsWith("open-file limit is 1024; --max-connections 100000 needs about 100200")
                .contains("ulimit -n"));
        assertThat(WebServer.fileLimitWarning(1_048_576, 100_000)).isEmpty();
        assertThat(WebServer.fileLimitWarning(-1, 100_000)).as("unknown limit").isEmpty();
    }

    @Test
    void a_listener_that_cannot_accept_pauses_and_logs_one_line_however_many_errors() {
        try (LogLines lines = LogLines.of(AcceptErrors.class)) {
            EmbeddedChannel listener = new EmbeddedChannel(new AcceptErrors());
            // when accepting fails over and over, as it does out of file descriptors
            for (int i = 0; i < 10_000; i++) {
                listener.pipeline().fireExceptionCaught(new IOException("accept(..) failed: Too many open files"));
            }
            // then accepting pauses, the errors go no further, and they are logged once
            assertThat(listener.config().isAutoRead()).isFalse();
            assertThat(lines.containing("cannot accept connections")).hasSize(1)
                    .allSatisfy(line -> assertThat(line).contains("Too many open files"));
            listener.checkException(); // nothing reached the end of the pipeline
            listener.finishAndReleaseAll();
        }
    }

    private static final String[] FROM_ONE_ADDRESS = {"X-Forwarded-For", "198.51.100.7"};

    private static WsClient connectOrNull(TestServer server) {
        try {
            return WsClient.connect(server.ws("/r/cap/ws"), FROM_ONE_ADDRESS);
        } catch (CompletionException e) {
            return null;
        }
    }

    /** The HTTP status of a refused WebSocket handshake. */
    static int refusal(Runnable connect) {
        Throwable[] thrown = {null};
        assertThatThrownBy(connect::run).isInstanceOf(CompletionException.class).satisfies(e -> thrown[0] = e);
        Throwable cause = thrown[0].getCause();
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        assertThat(cause).isInstanceOf(WebSocketHandshakeException.class);
        return ((WebSocketHandshakeException) cause).getResponse().statusCode();
    }
}
