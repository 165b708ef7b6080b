package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.TestServer;
import chatroom.WsClient;
import chatroom.web.HttpProtocolTest.RawHttp;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the edge refuses, and how: text that is not UTF-8, a peer that sends but never reads, frames the
 * page would never send, messages of endless lines, /status from elsewhere, oversized forms.
 */
class ProtocolStrictnessTest {

    @Test
    void a_text_frame_that_is_not_utf_8_closes_the_socket_with_1007() throws Exception {
        try (TestServer server = TestServer.start(); RawWebSocket ws = RawWebSocket.open(server, "/r/utf/ws", 0)) {
            // when: 0xC3 starts a two-byte sequence, '(' cannot continue it
            ws.sendText(new byte[] {'{', '"', 'm', 'e', 's', 's', 'a', 'g', 'e', '"', ':', '"', (byte) 0xC3, '(', '"', '}'});
            // then
            assertThat(ws.awaitCloseCode()).isEqualTo(1007);
        }
    }

    @Test
    void a_slow_reader_that_keeps_sending_is_closed_and_logged_once() throws Exception {
        try (LogLines log = LogLines.of(WebSocketMember.class);
                TestServer server = TestServer.start("--send-queue-bytes", "4096", "--rate", "0",
                        "--max-message-chars", "16000", "--max-frame-bytes", "65536");
                RawWebSocket slow = RawWebSocket.open(server, "/r/slow/ws", 4096)) {
            byte[] big = ("{\"message\":\"" + "s".repeat(15_000) + "\"}").getBytes(StandardCharsets.UTF_8);
            // when it sends, and every message comes back to it unread, until it is found too slow
            Await.until(() -> {
                send(slow, big);
                return !log.containing("too slow").isEmpty();
            }, "the slow reader to be found too slow");
            // and it goes on sending while its close is under way
            for (int i = 0; i < 100; i++) {
                send(slow, big);
            }
            Await.until(() -> PagesLobbyTest.connections(server) == 0, "the slow reader to be closed");
            // then
            assertThat(log.containing("too slow")).hasSize(1);
        }
    }

    @Test
    void an_unreadable_frame_is_answered_in_plain_words_not_the_json_parsers() throws Exception {
        try (TestServer server = TestServer.start(); WsClient ann = WsClient.connect(server.ws("/r/words/ws"))) {
            ann.send("{\"message\": hello}");
            String error = ann.awaitFrame(f -> f.contains("composer-error"));
            assertThat(error).contains("not valid JSON").contains("your text")
                    .doesNotContain("Unrecognized token").doesNotContain("was expecting").doesNotContain("line: 1");
            ann.send("{\"message\": 42}");
            ann.awaitFrame(f -> f.contains("must be text in quotes"));
        }
    }

    @Test
    void a_message_of_more_than_100_lines_is_refused_and_one_of_100_accepted() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/lines/ws"))) {
            ann.say("a" + "\n".repeat(1998) + "b");
            ann.awaitFrame(f -> f.contains("message has 1999 lines; the limit is 100"));
            ann.say("line\n".repeat(100));
            assertThat(ann.awaitMessages(1)).hasSize(1);
        }
    }

    @Test
    void status_answers_this_machine_only_unless_it_is_public() throws Exception {
        try (TestServer server = TestServer.start()) {
            assertThat(server.get("/status").statusCode()).isEqualTo(200);
            HttpResponse<String> relayed = server.get("/status", "X-Forwarded-For", "203.0.113.5");
            assertThat(relayed.statusCode()).isEqualTo(403);
            assertThat(relayed.body()).contains("--public-status");
        }
        try (TestServer open = TestServer.start("--public-status", "true")) {
            assertThat(open.get("/status", "X-Forwarded-For", "203.0.113.5").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void a_trusted_proxy_on_this_machine_is_never_this_machine_for_status_whatever_it_sends() throws Exception {
        try (TestServer server = TestServer.start("--trusted-proxies", "127.0.0.1")) {
            // a proxy that passes on only X-Real-IP, one that names no client, a TCP proxy that adds nothing
            for (String headers : List.of("X-Real-IP: 203.0.113.5\r\n", "X-Forwarded-Proto: https\r\n", "")) {
                try (RawHttp proxy = RawHttp.connect(server)) {
                    proxy.send("GET /status HTTP/1.1\r\nHost: " + proxy.host + "\r\n" + headers + "\r\n");
                    RawHttp.Reply reply = proxy.read();
                    assertThat(reply.status()).as("from the trusted proxy with " + headers.strip()).isEqualTo(403);
                    assertThat(reply.text()).contains("--public-status");
                }
            }
            // while this machine, from an address that is not the proxy, is answered
            try (RawHttp operator = RawHttp.connectFrom("127.0.0.2", server)) {
                operator.send("GET /status HTTP/1.1\r\nHost: " + operator.host + "\r\n\r\n");
                assertThat(operator.read().status()).isEqualTo(200);
            }
        }
        try (TestServer server = TestServer.start(); RawHttp unlisted = RawHttp.connect(server)) {
            unlisted.send("GET /status HTTP/1.1\r\nHost: " + unlisted.host + "\r\nX-Real-IP: 203.0.113.5\r\n\r\n");
            assertThat(unlisted.read().status()).as("a local proxy not listed, relaying with X-Real-IP").isEqualTo(403);
        }
        try (TestServer open = TestServer.start("--trusted-proxies", "127.0.0.1", "--public-status", "true");
                RawHttp proxy = RawHttp.connect(open)) {
            proxy.send("GET /status HTTP/1.1\r\nHost: " + proxy.host + "\r\nX-Real-IP: 203.0.113.5\r\n\r\n");
            assertThat(proxy.read().status()).as("--public-status true").isEqualTo(200);
        }
    }

    @Test
    void a_form_over_8_kib_is_413_naming_its_size_and_the_limit() throws Exception {
        try (TestServer server = TestServer.start()) {
            String body = "name=" + "f".repeat(9_000);
            HttpResponse<String> response = server.postForm("/name", body, "Origin", "http://127.0.0.1:" + server.port());
            assertThat(response.statusCode()).isEqualTo(413);
            assertThat(response.body()).contains("The form is 9005 bytes; the limit is 8192.");
        }
    }

    private static void send(RawWebSocket ws, byte[] frame) {
        try {
            ws.sendText(frame);
        } catch (IOException e) {
            // closed by the server: what this test waits for
        }
    }
}
