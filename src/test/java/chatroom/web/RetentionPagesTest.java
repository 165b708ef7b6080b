package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.TestServer;
import chatroom.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * What a reader sees of a room whose oldest messages retention deleted: scroll-back ends with "no longer
 * kept", which a room shown from its very first message never says, and new messages go on numbering.
 */
class RetentionPagesTest {

    private static final String NO_LONGER_KEPT = "Older messages are no longer kept.";
    private static final Pattern SEQ = Pattern.compile("id=\"m-(\\d+)\"");
    private static final Pattern OLDER = Pattern.compile("messages\\?before=(\\d+)");
    private static final Duration PRUNED_WITHIN = Duration.ofSeconds(30);

    @Test
    void scrolling_back_a_pruned_room_ends_with_older_messages_are_no_longer_kept() throws Exception {
        try (TestServer server = TestServer.start(
                        "--rate", "0", "--history", "3", "--keep-per-room", "5", "--prune-every", "100ms");
                WsClient ann = WsClient.connect(server.ws("/r/pruned/ws"))) {
            for (int i = 1; i <= 12; i++) ann.say("m" + i);
            ann.awaitMessages(12);
            Await.until(() -> !get(server, "/r/pruned/messages?before=8").contains("id=\"m-7\""),
                    "messages 1 to 7 pruned", PRUNED_WITHIN);

            String page = server.get("/r/pruned").body();
            assertThat(seqs(page)).containsExactly(10L, 11L, 12L);
            assertThat(page).doesNotContain(NO_LONGER_KEPT);
            String older = server.get("/r/pruned/messages?before=" + olderLink(page)).body();
            assertThat(seqs(older)).containsExactly(8L, 9L);
            assertThat(older).contains(NO_LONGER_KEPT).doesNotContain("Load older messages");

            ann.say("after the prune");
            assertThat(ann.awaitFrame(f -> f.contains("after the prune"))).contains("id=\"m-13\"");
        }
    }

    @Test
    void a_room_that_kept_fewer_messages_than_a_page_says_so_on_joining() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0", "--keep-per-room", "5", "--prune-every", "100ms");
                WsClient ann = WsClient.connect(server.ws("/r/short/ws"))) {
            for (int i = 1; i <= 9; i++) ann.say("m" + i);
            ann.awaitMessages(9);
            String page = Await.until(() -> {
                String body = get(server, "/r/short");
                return seqs(body).size() == 5 ? body : null;
            }, "the room pruned to 5 messages", PRUNED_WITHIN);

            assertThat(seqs(page)).containsExactlyElementsOf(LongStream.rangeClosed(5, 9).boxed().toList());
            assertThat(page).contains(NO_LONGER_KEPT).doesNotContain("Load older messages");
        }
    }

    @Test
    void a_room_whose_every_message_aged_out_says_so_instead_of_looking_new() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0", "--keep", "1s", "--prune-every", "100ms");
                WsClient ann = WsClient.connect(server.ws("/r/aged/ws"))) {
            ann.say("soon gone");
            ann.awaitMessages(1);
            String page = Await.until(() -> {
                String body = get(server, "/r/aged");
                return seqs(body).isEmpty() ? body : null;
            }, "the message aged out", PRUNED_WITHIN);

            assertThat(page).contains(NO_LONGER_KEPT);
            assertThat(server.get("/r/aged/messages?before=2").body()).contains(NO_LONGER_KEPT);
        }
    }

    @Test
    void a_room_shown_from_its_first_message_never_says_no_longer_kept() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0", "--history", "3", "--keep-per-room", "100");
                WsClient ann = WsClient.connect(server.ws("/r/whole/ws"))) {
            for (int i = 1; i <= 5; i++) ann.say("m" + i);
            ann.awaitMessages(5);

            String page = server.get("/r/whole").body();
            String older = server.get("/r/whole/messages?before=" + olderLink(page)).body();
            assertThat(seqs(older)).containsExactly(1L, 2L);
            assertThat(page + older).doesNotContain(NO_LONGER_KEPT);
            assertThat(server.get("/r/never-used").body()).doesNotContain(NO_LONGER_KEPT);
            assertThat(server.get("/r/never-used/messages?before=" + Long.MAX_VALUE).body())
                    .doesNotContain(NO_LONGER_KEPT);
        }
    }

    private static String get(TestServer server, String path) {
        try {
            return server.get(path).body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<Long> seqs(String html) {
        return SEQ.matcher(html).results().map(m -> Long.parseLong(m.group(1))).toList();
    }

    private static String olderLink(String html) {
        Matcher m = OLDER.matcher(html);
        assertThat(m.find()).as("a link to older messages in %s", html).isTrue();
        return m.group(1);
    }
}
