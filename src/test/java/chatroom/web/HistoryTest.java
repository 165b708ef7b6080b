package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import chatroom.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** History as a reader meets it: on joining, on scrolling back, and after a restart. */
class HistoryTest {

    private static final Pattern SEQ = Pattern.compile("id=\"m-(\\d+)\"");
    private static final Pattern OLDER = Pattern.compile("messages\\?before=(\\d+)");

    @Test
    void joining_shows_the_last_50_messages_oldest_first_then_live_ones() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/hist/ws"))) {
            for (int i = 1; i <= 70; i++) {
                ann.say("m" + i);
            }
            ann.awaitMessages(70);

            String page = server.get("/r/hist").body();
            assertThat(seqs(page)).containsExactlyElementsOf(LongStream.rangeClosed(21, 70).boxed().toList());
            assertThat(page).contains("/r/hist/messages?before=21");

            try (WsClient bob = WsClient.connect(server.ws("/r/hist/ws"))) {
                assertThat(bob.awaitMessages(50)).containsExactlyElementsOf(
                        IntStream.rangeClosed(21, 70).mapToObj(i -> "m" + i).toList());
                ann.say("live");
                assertThat(bob.awaitMessages(51)).last().isEqualTo("live");
                assertThat(bob.seqs()).containsExactlyElementsOf(LongStream.rangeClosed(21, 71).boxed().toList());
            }
        }
    }

    @Test
    void scrolling_back_page_by_page_covers_every_message_exactly_once_in_order() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0", "--history", "20");
                WsClient ann = WsClient.connect(server.ws("/r/pages/ws"))) {
            for (int i = 1; i <= 95; i++) {
                ann.say("m" + i);
            }
            ann.awaitMessages(95);

            List<Long> all = new ArrayList<>(seqs(server.get("/r/pages").body()));
            String before = olderLink(server.get("/r/pages").body());
            while (before != null) {
                String page = server.get("/r/pages/messages?before=" + before).body();
                all.addAll(0, seqs(page));
                before = olderLink(page);
            }
            assertThat(all).containsExactlyElementsOf(LongStream.rangeClosed(1, 95).boxed().toList());
        }
    }

    @Test
    void a_page_that_reconnects_after_a_restart_gets_exactly_the_messages_it_missed() throws Exception {
        TestServer first = TestServer.start("--rate", "0");
        List<Long> shown;
        try (WsClient page = WsClient.connect(first.ws("/r/back/ws"))) {
            for (int i = 1; i <= 5; i++) {
                page.say("m" + i);
            }
            page.awaitMessages(5);
            shown = page.seqs();
            first.stop();
            assertThat(page.awaitClose()).isEqualTo(1012);
        }
        try (TestServer second = TestServer.startIn(first.dir, "--rate", "0");
                WsClient other = WsClient.connect(second.ws("/r/back/ws"))) {
            other.awaitMessages(5);
            for (int i = 6; i <= 8; i++) {
                other.say("m" + i);
            }
            other.awaitMessages(8);
            // the page reconnects the way app.js does: with the newest seq it shows
            try (WsClient again = WsClient.connect(second.ws("/r/back/ws?after=" + shown.get(shown.size() - 1)))) {
                assertThat(again.awaitMessages(3)).containsExactly("m6", "m7", "m8");
                other.say("m9");
                assertThat(again.awaitMessages(4)).containsExactly("m6", "m7", "m8", "m9");
                assertThat(again.seqs()).containsExactly(6L, 7L, 8L, 9L);
            }
        }
    }

    private static List<Long> seqs(String html) {
        List<Long> seqs = new ArrayList<>();
        Matcher m = SEQ.matcher(html);
        while (m.find()) {
            seqs.add(Long.parseLong(m.group(1)));
        }
        return seqs;
    }

    private static String olderLink(String html) {
        Matcher m = OLDER.matcher(html);
        return m.find() ? m.group(1) : null;
    }
}
