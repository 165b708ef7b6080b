package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * HTTP as a protocol: unknown paths, wrong methods, HEAD, keep-alive and pipelining, bounded request
 * sizes, and WebSocket paths asked for without an upgrade. Exact bytes go over a raw socket ({@link
 * RawHttp}), so what is tested is what the server sends, not what a client library makes of it.
 */
class HttpProtocolTest {

    @Test
    void unknown_path_gets_a_404_page() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.get("/no/such/page");
            // then
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(response.body()).contains("404").contains("/no/such/page");
        }
    }

    @Test
    void post_to_the_lobby_is_405_with_an_allow_header() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.postForm("/", "x=1");
            // then
            assertThat(response.statusCode()).isEqualTo(405);
            assertThat(response.headers().firstValue("Allow")).hasValueSatisfying(allow -> assertThat(allow)
                    .contains("GET")
                    .doesNotContain("POST"));
        }
    }

    @Test
    void delete_on_a_room_is_405_with_an_allow_header() throws Exception {
        try (TestServer server = TestServer.start(); RawHttp raw = RawHttp.connect(server)) {
            // when
            raw.send("DELETE /r/x HTTP/1.1\r\nHost: " + raw.host + "\r\n\r\n");
            RawHttp.Reply reply = raw.read();
            // then
            assertThat(reply.status()).isEqualTo(405);
            assertThat(reply.header("Allow")).contains("GET");
        }
    }

    @Test
    void head_returns_the_headers_of_get_without_a_body() throws Exception {
        try (TestServer server = TestServer.start(); RawHttp raw = RawHttp.connect(server)) {
            // given a cookie, so both requests are the same visitor and the page is the same
            String cookie = server.get("/").headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
            raw.send("GET / HTTP/1.1\r\nHost: " + raw.host + "\r\nCookie: " + cookie + "\r\n\r\n");
            RawHttp.Reply get = raw.read();
            // when HEAD follows on the same connection, then a GET after it
            raw.send("HEAD / HTTP/1.1\r\nHost: " + raw.host + "\r\nCookie: " + cookie + "\r\n\r\n");
            RawHttp.Reply head = raw.readHead();
            raw.send("GET /status HTTP/1.1\r\nHost: " + raw.host + "\r\n\r\n");
            RawHttp.Reply after = raw.read();
            // then HEAD had GET's status and headers and no body: the next response starts right after its headers
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Type")).isEqualTo(get.header("Content-Type"));
            assertThat(head.header("Content-Length")).isEqualTo(get.header("Content-Length"));
            assertThat(Integer.parseInt(head.header("Content-Length"))).isEqualTo(get.body().length).isPositive();
            assertThat(head.header("Content-Security-Policy")).isEqualTo(get.header("Content-Security-Policy"));
            assertThat(head.header("Cache-Control")).isEqualTo(get.header("Cache-Control"));
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.text()).contains("\"connections\"");
        }
    }

    @Test
    void two_requests_on_one_connection_are_both_answered() throws Exception {
        try (TestServer server = TestServer.start(); RawHttp raw = RawHttp.connect(server)) {
            // when
            raw.send("GET /status HTTP/1.1\r\nHost: " + raw.host + "\r\n\r\n");
            RawHttp.Reply first = raw.read();
            raw.send("GET / HTTP/1.1\r\nHost: " + raw.host + "\r\n\r\n");
            RawHttp.Reply second = raw.read();
            // then
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("Connection")).isNotEqualToIgnoringCase("close");
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.text()).contains("Chatroom</h1>");
        }
    }

    @Test
    void pipelined_requests_are_answered_in_order() throws Exception {
        try (TestServer server = TestServer.start(); RawHttp raw = RawHttp.connect(server)) {
            // when three requests go out in one write, before any answer is read
            raw.send("GET / HTTP/1.1\r\nHost: " + raw.host + "\r\n\r\n"
                    + "GET /status HTTP/1.1\r\nHost: " + raw.host + "\r\n\r\n"
                    + "GET /no-such HTTP/1.1\r\nHost: " + raw.host + "\r\n\r\n");
            // then
            assertThat(raw.read().text()).contains("Chatroom</h1>");
            assertThat(raw.read().text()).contains("\"connections\"");
            assertThat(raw.read().status()).isEqualTo(404);
        }
    }

    @Test
    void connection_close_is_honoured() throws Exception {
        try (TestServer server = TestServer.start(); RawHttp raw = RawHttp.connect(server)) {
            // when
            raw.send("GET /status HTTP/1.1\r\nHost: " + raw.host + "\r\nConnection: close\r\n\r\n");
            RawHttp.Reply reply = raw.read();
            // then
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(raw.closedByServer()).as("server closed the connection").isTrue();
        }
    }

    @Test
    void request_line_over_4_kb_is_414_and_the_server_keeps_serving() throws Exception {
        try (TestServer server = TestServer.start(); RawHttp raw = RawHttp.connect(server)) {
            // when
            raw.send("GET /r/" + "a".repeat(WebServer.MAX_REQUEST_LINE_BYTES) + " HTTP/1.1\r\nHost: " + raw.host
                    + "\r\n\r\n");
            RawHttp.Reply reply = raw.read();
            // then
            assertThat(reply.status()).isEqualTo(414);
            assertThat(server.get("/").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void headers_over_8_kb_are_431_and_the_server_keeps_serving() throws Exception {
        try (TestServer server = TestServer.start(); RawHttp raw = RawHttp.connect(server)) {
            // when
            raw.send("GET / HTTP/1.1\r\nHost: " + raw.host + "\r\nX-Filler: "
                    + "b".repeat(WebServer.MAX_HEADER_BYTES) + "\r\n\r\n");
            RawHttp.Reply reply = raw.read();
            // then
            assertThat(reply.status()).isEqualTo(431);
            assertThat(server.get("/").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void many_headers_adding_up_to_over_8_kb_are_431() throws Exception {
        try (TestServer server = TestServer.start(); RawHttp raw = RawHttp.connect(server)) {
            // when each header is small but together they pass the limit
            StringBuilder headers = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                headers.append("X-Filler-").append(i).append(": ").append("c".repeat(500)).append("\r\n");
            }
            raw.send("GET / HTTP/1.1\r\nHost: " + raw.host + "\r\n" + headers + "\r\n");
            // then
            assertThat(raw.read().status()).isEqualTo(431);
        }
    }

    @Test
    void body_over_64_kb_on_post_name_is_413_with_the_security_headers_and_the_server_keeps_serving()
            throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response =
                    server.postForm("/name", "name=" + "d".repeat(WebServer.MAX_BODY_BYTES + 1));
            // then
            assertThat(response.statusCode()).isEqualTo(413);
            HttpSecurityHeadersTest.assertSecurityHeaders(response.headers());
            assertThat(server.get("/").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void body_over_64_kb_on_a_kept_alive_connection_is_413_and_that_connection_is_closed() throws Exception {
        try (TestServer server = TestServer.start(); RawHttp raw = RawHttp.connect(server)) {
            // given
            String body = "name=" + "e".repeat(WebServer.MAX_BODY_BYTES + 1);
            // when
            raw.send("POST /name HTTP/1.1\r\nHost: " + raw.host
                    + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body);
            RawHttp.Reply reply = raw.read();
            // then it is refused, and the connection (whose unread body would be taken for a request) closes
            assertThat(reply.status()).isEqualTo(413);
            assertThat(reply.header("Connection")).isEqualToIgnoringCase("close");
        }
    }

    @Test
    void room_socket_without_an_upgrade_is_426_with_an_explanation() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.get("/r/x/ws");
            // then
            assertThat(response.statusCode()).isEqualTo(426);
            assertThat(response.headers().firstValue("Upgrade")).hasValue("websocket");
            assertThat(response.body().strip()).contains("WebSocket").doesNotContain("\n");
        }
    }

    @Test
    void connect_socket_without_an_upgrade_is_426_with_an_explanation() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.get("/connect");
            // then
            assertThat(response.statusCode()).isEqualTo(426);
            assertThat(response.body().strip()).contains("WebSocket").doesNotContain("\n");
        }
    }

    @Test
    void head_of_a_missing_page_is_404_without_a_body() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(server.url("/nothing-here")))
                            .method("HEAD", HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            // then
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.body()).isEmpty();
        }
    }

    /**
     * A client on a raw socket that writes exactly the bytes given and parses responses by
     * Content-Length: for requests no client library would send (oversized lines, traversal paths)
     * and for seeing where one response ends and the next begins.
     */
    static final class RawHttp implements AutoCloseable {

        private static final Duration TIMEOUT = Duration.ofSeconds(10);

        record Reply(int status, Map<String, String> headers, byte[] body) {
            /** A header's value, or null; names are case-insensitive. */
            String header(String name) {
                return headers.get(name.toLowerCase(Locale.ROOT));
            }

            String text() {
                return new String(body, StandardCharsets.UTF_8);
            }
        }

        final String host;
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private RawHttp(Socket socket, String host) throws IOException {
            this.socket = socket;
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.host = host;
        }

        static RawHttp connect(TestServer server) throws IOException {
            return new RawHttp(new Socket("127.0.0.1", server.port()), "127.0.0.1:" + server.port());
        }

        /**
         * To the server from another address of this machine, e.g. {@code 127.0.0.2}: still this machine,
         * but not the {@code --trusted-proxies 127.0.0.1} that tests use as a local proxy.
         */
        static RawHttp connectFrom(String localAddress, TestServer server) throws IOException {
            Socket socket = new Socket();
            socket.bind(new java.net.InetSocketAddress(localAddress, 0));
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()), (int) TIMEOUT.toMillis());
            return new RawHttp(socket, "127.0.0.1:" + server.port());
        }

        /** Over a socket already connected (and maybe TLS) to a server that {@code host} names. */
        static RawHttp over(Socket socket, String host) throws IOException {
            return new RawHttp(socket, host);
        }

        /** Writes the request exactly, one byte per character (ISO-8859-1). */
        void send(String request) throws IOException {
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Reads one response with its body of Content-Length bytes. */
        Reply read() throws IOException {
            return readBody(readHead());
        }

        /** Reads the body of Content-Length bytes that follows {@code head}, read by {@link #readHead}. */
        Reply readBody(Reply head) throws IOException {
            String length = head.header("Content-Length");
            if (length == null) {
                throw new AssertionError("response has no Content-Length: " + head.headers());
            }
            return new Reply(head.status(), head.headers(), in.readNBytes(Integer.parseInt(length.trim())));
        }

        /** Reads the status line and headers only, as for a response to HEAD. */
        Reply readHead() throws IOException {
            String statusLine = readLine();
            if (statusLine == null) {
                throw new AssertionError("connection closed before a response");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            return new Reply(Integer.parseInt(statusLine.split(" ")[1]), headers, new byte[0]);
        }

        /** True once the server has closed the connection (end of stream), false if it is still open. */
        boolean closedByServer() throws IOException {
            try {
                return in.read() == -1;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset by the server
            }
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    String s = line.toString(StandardCharsets.ISO_8859_1);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                line.write(b);
            }
            return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
