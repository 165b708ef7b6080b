package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatroom.TestServer;
import chatroom.WsClient;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** What guests may do under {@code --guests}: post (the default, tested everywhere else), read, or nothing. */
class GuestPolicyTest {

    @Test
    void with_guests_read_a_guest_sees_the_room_and_its_history_but_what_it_writes_is_refused_and_stored_nowhere() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0", "--guests", "read");
                WsClient reader = WsClient.connect(server.ws("/r/quiet/ws"));
                WsClient other = WsClient.connect(server.ws("/r/quiet/ws"))) {
            assertThat(server.get("/r/quiet").statusCode()).isEqualTo(200);
            reader.awaitHistory();
            reader.send("{\"message\": \"may I?\", \"cid\": \"c-1\"}");
            assertThat(reader.awaitFrame(f -> f.contains("Guests may read here but not write"))).isNotNull();
            reader.send("{\"typing\": true}");
            reader.send("{\"react\": 1, \"emoji\": \"👍\"}");
            // the reaction is refused in words too (the typing signal is dropped without a word): two refusals now
            chatroom.Await.until(() -> reader.frames().stream().filter(f -> f.contains("Guests may read here but not write"))
                    .count() == 2, "the message and the reaction refused");

            // a name may still be chosen: it is how a guest gets ready to keep one
            HttpResponse<String> renamed = server.postForm("/name", "name=Reader", "Origin", "http://127.0.0.1:" + server.port());
            assertThat(renamed.statusCode()).isEqualTo(303);

            // nothing reached the other member, and nothing was stored
            other.send("ping");
            other.awaitFrame("pong"::equals);
            assertThat(other.frames()).noneMatch(f -> f.contains("may I?") || f.contains("data-typing"));
            try (WsClient late = WsClient.connect(server.ws("/r/quiet/ws"))) {
                late.awaitHistory();
                assertThat(late.messageTexts()).isEmpty();
            }
        }
    }

    @Test
    void with_guests_off_a_guest_gets_the_lobby_and_sign_in_only() throws Exception {
        try (TestServer server = TestServer.start("--guests", "off")) {
            HttpResponse<String> room = server.get("/r/general");
            assertThat(room.statusCode()).isEqualTo(403);
            assertThat(room.body()).contains("open to people with an account only");
            assertThat(server.get("/r/general/messages?before=10").statusCode()).isEqualTo(403);
            assertThatThrownBy(() -> WsClient.connect(server.ws("/r/general/ws")))
                    .hasCauseInstanceOf(java.net.http.WebSocketHandshakeException.class)
                    .satisfies(e -> assertThat(((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse()
                            .statusCode()).isEqualTo(403));

            HttpResponse<String> lobby = server.get("/");
            assertThat(lobby.statusCode()).isEqualTo(200);
            assertThat(lobby.body()).contains("For people with an account").doesNotContain("id=\"rooms\"")
                    .contains("Keep this name");
            assertThat(server.get("/sign-in").statusCode()).isEqualTo(200);
        }
    }
}
