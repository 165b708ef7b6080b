package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import chatroom.WsClient;
import org.junit.jupiter.api.Test;

/** "Typing" over the socket: shown to the room, never stored, charged as a ping is, never as a message. */
class TypingTest {

    @Test
    void a_member_typing_is_told_to_the_room_by_name_and_nothing_is_stored() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/typing/ws"));
                WsClient bob = WsClient.connect(server.ws("/r/typing/ws"))) {
            bob.awaitFrame(f -> f.contains("id=\"presence\""));

            ann.send("{\"typing\": true}");

            String signal = bob.awaitFrame(f -> f.contains("data-typing="));
            assertThat(signal).contains("hx-swap-oob=\"beforeend:#typing-feed\"").contains("data-name=\"");
            bob.say("the first stored event");
            assertThat(bob.awaitMessages(1)).containsExactly("the first stored event");
            assertThat(bob.seqs()).as("typing took no seq").containsExactly(1L);
            assertThat(server.get("/r/typing").body()).doesNotContain("data-typing=");
        }
    }

    @Test
    void typing_costs_from_the_frame_budget_not_the_message_allowance() throws Exception {
        try (TestServer server = TestServer.start("--rate", "1", "--burst", "2");
                WsClient ann = WsClient.connect(server.ws("/r/typing-cost/ws"))) {
            ann.awaitFrame(f -> f.contains("id=\"presence\""));
            for (int i = 0; i < 10; i++) ann.send("{\"typing\": true}");
            ann.say("still allowed");
            assertThat(ann.awaitMessages(1)).containsExactly("still allowed");

            // beyond the frame burst (30); the server may close the socket before the last ones are written
            for (int i = 0; i < 40 && !ann.closed(); i++) {
                try {
                    ann.send("{\"typing\": true}");
                } catch (java.util.concurrent.CompletionException closedMeanwhile) {
                    break;
                }
            }
            assertThat(ann.awaitClose()).as("a typing flood is closed as any frame flood").isEqualTo(1008);
        }
    }
}
