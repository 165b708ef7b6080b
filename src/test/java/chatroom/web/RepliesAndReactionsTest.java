package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import chatroom.WsClient;
import org.junit.jupiter.api.Test;

/**
 * Replies and reactions over the socket, as a page sends them ({@code {"message": ..., "reply": SEQ}},
 * {@code {"react": SEQ, "emoji": "👍"}}, {@code {"unreact": ...}}): what everyone sees, what history and a
 * returning page show, and every refusal, to its sender alone.
 */
class RepliesAndReactionsTest {

    @Test
    void a_reply_quotes_the_stored_original_escaped_never_what_the_frame_says() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/quotes/ws"));
                WsClient bob = WsClient.connect(server.ws("/r/quotes/ws"))) {
            bob.awaitFrame(f -> f.contains("id=\"presence\""));
            ann.say("<script>alert(1)</script> first line\nsecond line");
            bob.awaitMessages(1);

            bob.send("{\"message\": \"agreed\", \"reply\": 1, \"quote\": \"forged\", \"cid\": \"r1\"}");

            String reply = ann.awaitFrame(f -> f.contains("agreed"));
            assertThat(reply).contains("quote-of-1").contains("&lt;script&gt;alert(1)&lt;/script&gt; first line…")
                    .doesNotContain("<script>").doesNotContain("second line").doesNotContain("forged");
            assertThat(server.get("/r/quotes").body()).contains("quote-of-1").contains("first line…");

            ann.send("{\"delete\": 1}");
            String deleted = bob.awaitFrame(f -> f.contains("innerHTML:.quote-of-1"));
            assertThat(deleted).contains("message deleted").doesNotContain("first line");
            assertThat(server.get("/r/quotes").body()).doesNotContain("first line").contains("message deleted");
        }
    }

    @Test
    void reactions_are_counted_for_everyone_and_a_returning_page_is_sent_them() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/reacts/ws"));
                WsClient bob = WsClient.connect(server.ws("/r/reacts/ws"))) {
            bob.awaitFrame(f -> f.contains("id=\"presence\""));
            ann.say("lunch?");
            bob.awaitMessages(1);

            bob.send("{\"react\": 1, \"emoji\": \"👍\", \"cid\": \"x1\"}");
            assertThat(ann.awaitFrame(f -> f.contains("innerHTML:#m-1") && f.contains("👍"))).contains("<span class=\"n\">1</span>");
            ann.send("{\"react\": 1, \"emoji\": \"👍\"}");
            ann.awaitFrame(f -> f.contains("<span class=\"n\">2</span>"));
            bob.send("{\"unreact\": 1, \"emoji\": \"👍\"}");
            ann.awaitFrame(f -> f.contains("innerHTML:#m-1") && f.contains("👍 <span class=\"n\">1</span>") && !f.contains("n\">2"));

            try (WsClient back = WsClient.connect(server.ws("/r/reacts/ws?after=1"))) {
                String caughtUp = back.awaitFrame(f -> f.contains("innerHTML:#m-1"));
                assertThat(caughtUp).contains("👍 <span class=\"n\">1</span>");
            }
            assertThat(server.get("/r/reacts").body()).contains("👍 <span class=\"n\">1</span>");
        }
    }

    @Test
    void replies_and_reactions_that_may_not_be_made_are_refused_to_their_sender_alone() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/no/ws"));
                WsClient bob = WsClient.connect(server.ws("/r/no/ws"))) {
            bob.awaitFrame(f -> f.contains("id=\"presence\""));
            ann.say("one");
            bob.awaitMessages(1);

            ann.send("{\"react\": 1, \"emoji\": \"💩\"}");
            assertThat(ann.awaitFrame(f -> f.contains("Unknown emoji"))).isNotNull();
            ann.send("{\"react\": 1, \"emoji\": \"" + "👍".repeat(20) + "\"}");
            assertThat(ann.awaitFrame(f -> f.contains("must be one emoji"))).isNotNull();
            ann.send("{\"react\": 1}");
            assertThat(ann.awaitFrame(f -> f.contains("a reaction needs its"))).isNotNull();
            ann.send("{\"react\": 9, \"emoji\": \"👍\"}");
            assertThat(ann.awaitFrame(f -> f.contains("There is no such message in this room."))).isNotNull();
            ann.send("{\"react\": 1, \"emoji\": \"🎉\"}");
            ann.awaitFrame(f -> f.contains("🎉"));
            ann.send("{\"react\": 1, \"emoji\": \"🎉\"}");
            assertThat(ann.awaitFrame(f -> f.contains("You have already reacted with that."))).isNotNull();
            ann.send("{\"unreact\": 1, \"emoji\": \"👀\"}");
            assertThat(ann.awaitFrame(f -> f.contains("You have not reacted with that."))).isNotNull();
            ann.send("{\"message\": \"re\", \"reply\": 77, \"cid\": \"c9\"}");
            assertThat(ann.awaitFrame(f -> f.contains("data-not-sent=\"c9\""))).contains("There is no such message in this room.");
            ann.send("{\"reply\": 1}");
            assertThat(ann.awaitFrame(f -> f.contains("goes with the"))).isNotNull();
            ann.send("{\"delete\": 1}");
            ann.awaitFrame(f -> f.contains("message deleted"));
            ann.send("{\"react\": 1, \"emoji\": \"👍\"}");
            assertThat(ann.awaitFrame(f -> f.contains("That message was deleted."))).isNotNull();

            ann.say("barrier");
            bob.awaitMessages(2);
            assertThat(bob.frames()).noneMatch(f -> f.contains("Unknown emoji") || f.contains("already reacted") || f.contains("no such message"));
        }
    }
}
