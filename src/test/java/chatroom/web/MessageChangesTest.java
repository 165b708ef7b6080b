package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.TestServer;
import chatroom.WsClient;
import org.junit.jupiter.api.Test;

/**
 * Edits and deletions over the socket, as a page sends them ({@code {"edit": SEQ, "text": ...}},
 * {@code {"delete": SEQ}}): everyone in the room sees the message change in place, history shows it as it
 * now is, a page that comes back later is sent the change, and every refusal goes to its sender alone.
 */
class MessageChangesTest {

    @Test
    void an_edit_replaces_the_text_in_place_for_everyone_and_in_history() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/edits/ws"));
                WsClient bob = WsClient.connect(server.ws("/r/edits/ws"))) {
            bob.awaitFrame(f -> f.contains("id=\"presence\""));
            ann.say("helo <b>world</b>");
            bob.awaitMessages(1);

            ann.send("{\"edit\": 1, \"text\": \"hello <img src=x onerror=alert(1)>\"}");

            String changed = bob.awaitFrame(f -> f.contains("hx-swap-oob=\"innerHTML:#m-1\""));
            assertThat(changed).contains("hello &lt;img src=x onerror=alert(1)&gt;").doesNotContain("<img").contains(">edited<");
            assertThat(ann.awaitFrame(f -> f.contains("innerHTML:#m-1"))).contains("hello &lt;img");
            String history = server.get("/r/edits").body();
            assertThat(history).contains("hello &lt;img src=x").doesNotContain("helo").contains("edited");
        }
    }

    @Test
    void a_deleted_message_shows_as_deleted_everywhere_and_its_text_is_gone_from_history() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/deletes/ws"));
                WsClient bob = WsClient.connect(server.ws("/r/deletes/ws"))) {
            bob.awaitFrame(f -> f.contains("id=\"presence\""));
            ann.say("take this back");
            ann.say("keep this");
            bob.awaitMessages(2);

            ann.send("{\"delete\": 1}");

            assertThat(bob.awaitFrame(f -> f.contains("innerHTML:#m-1"))).contains("message deleted").doesNotContain("take this back");
            String history = server.get("/r/deletes").body();
            assertThat(history).doesNotContain("take this back").contains("message deleted").contains("keep this");
            ann.send("{\"edit\": 1, \"text\": \"undo\"}");
            assertThat(ann.awaitFrame(f -> f.contains("That message was deleted."))).isNotNull();
        }
    }

    @Test
    void a_page_that_comes_back_after_a_change_is_sent_the_change() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/comeback/ws"))) {
            ann.say("one");
            ann.say("two");
            ann.awaitMessages(2);
            ann.send("{\"edit\": 1, \"text\": \"one, better\"}");
            ann.send("{\"delete\": 2}");
            ann.awaitFrame(f -> f.contains("innerHTML:#m-2"));

            try (WsClient back = WsClient.connect(server.ws("/r/comeback/ws?after=2"))) {
                String edit = back.awaitFrame(f -> f.contains("innerHTML:#m-1"));
                assertThat(edit).contains("one, better");
                assertThat(back.awaitFrame(f -> f.contains("innerHTML:#m-2"))).contains("message deleted");
                assertThat(back.seqs()).as("the messages it showed are not sent again").isEmpty();
            }
        }
    }

    @Test
    void changes_that_may_not_be_made_are_refused_to_their_sender_alone() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/refusals/ws"));
                WsClient bob = WsClient.connect(server.ws("/r/refusals/ws"))) {
            bob.awaitFrame(f -> f.contains("id=\"presence\""));
            ann.say("ann words");
            bob.awaitMessages(1);

            bob.send("{\"edit\": 1, \"text\": \"bob now\"}");
            assertThat(bob.awaitFrame(f -> f.contains("You can only change your own messages."))).isNotNull();
            bob.send("{\"delete\": 1}");
            Await.until(() -> bob.frames().stream().filter(f -> f.contains("You can only change your own messages.")).count() >= 2 ? true : null,
                    "two refusals", () -> "got " + bob.frames());
            ann.send("{\"edit\": 9, \"text\": \"x\"}");
            assertThat(ann.awaitFrame(f -> f.contains("There is no such message in this room."))).isNotNull();
            ann.send("{\"edit\": 1, \"text\": \"ann words\"}");
            assertThat(ann.awaitFrame(f -> f.contains("The edit changes nothing."))).isNotNull();
            ann.send("{\"edit\": 1, \"text\": \"" + "x".repeat(5_000) + "\"}");
            assertThat(ann.awaitFrame(f -> f.contains("too long") || f.contains("characters"))).isNotNull();
            ann.send("{\"edit\": \"one\", \"text\": \"x\"}");
            assertThat(ann.awaitFrame(f -> f.contains("must be the number of one of your messages"))).isNotNull();
            ann.send("{\"edit\": 1, \"message\": \"x\", \"text\": \"x\"}");
            assertThat(ann.awaitFrame(f -> f.contains("one frame asks one thing"))).isNotNull();

            // a message after the refusals: what bob was sent up to it holds none of ann's refusals, and the other way round
            ann.say("barrier");
            bob.awaitMessages(2);
            assertThat(bob.frames()).noneMatch(f -> f.contains("no such message") || f.contains("changes nothing"));
            assertThat(ann.frames()).noneMatch(f -> f.contains("only change your own"));
            assertThat(server.get("/r/refusals").body()).contains("ann words").doesNotContain("bob now");
        }
    }
}
