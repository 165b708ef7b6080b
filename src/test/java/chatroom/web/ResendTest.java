package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import chatroom.WsClient;
import org.junit.jupiter.api.Test;

/**
 * A page gives each message an id of its own ({@code "cid"}) and sends it again with the same id when
 * it reconnects without having seen it come back: the room stores and shows it once.
 */
class ResendTest {

    @Test
    void a_message_sent_again_with_the_same_client_id_is_stored_and_shown_once() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/resend/ws"));
                WsClient bob = WsClient.connect(server.ws("/r/resend/ws"))) {
            bob.awaitFrame(f -> f.contains("id=\"presence\""));

            ann.send("{\"message\": \"only once\", \"cid\": \"c0ffee-1\"}");
            ann.send("{\"message\": \"only once\", \"cid\": \"c0ffee-1\"}");
            ann.say("after");

            assertThat(bob.awaitMessages(2)).containsExactly("only once", "after");
            assertThat(bob.seqs()).containsExactly(1L, 2L);
            assertThat(bob.frames()).anyMatch(f -> f.contains("data-cid=\"c0ffee-1\""));
            String history = server.get("/r/resend").body();
            assertThat(history.split("only once", -1)).hasSize(2);
        }
    }

    @Test
    void a_client_id_that_is_not_a_short_plain_token_is_refused_with_a_reason() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/resend-bad/ws"))) {
            ann.send("{\"message\": \"hi\", \"cid\": \"<script>\"}");

            assertThat(ann.awaitFrame(f -> f.contains("composer-error"))).contains("letters, digits");
            ann.say("fine");
            assertThat(ann.awaitMessages(1)).containsExactly("fine");
        }
    }
}
