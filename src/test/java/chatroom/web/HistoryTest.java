package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import chatroom.WsClient;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
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
            // the page's (empty) history first, as a page does before writing
            ann.awaitHistory();
            for (int i = 1; i <= 70; i++) {
                ann.say("m" + i);
            }
            awaitExplained(server, ann, 70, "/r/hist");

            String page = server.get("/r/hist").body();
            assertThat(seqs(page)).containsExactlyElementsOf(LongStream.rangeClosed(21, 70).boxed().toList());
            assertThat(page).contains("/r/hist/messages?before=21");

            try (WsClient bob = WsClient.connect(server.ws("/r/hist/ws"))) {
                assertThat(awaitExplained(server, bob, 50, "/r/hist")).containsExactlyElementsOf(
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
            ann.awaitHistory();
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

    /**
     * Waits for the messages; if they never come, fails saying what the server got: whether the messages
     * were stored (the room's page), what the socket did receive (a history frame means its catch-up ended),
     * the server's counts, and, on standard error, every thread's stack (a room thread blocked, or idle
     * with work waiting). This burst once went unanswered for 10 s in a whole-suite run, without a trace.
     */
    private static List<String> awaitExplained(TestServer server, WsClient client, int count, String room)
            throws Exception {
        try {
            return client.awaitMessages(count);
        } catch (AssertionError e) {
            System.err.println("---- threads when " + count + " messages had not arrived");
            for (ThreadInfo thread : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
                System.err.print(thread); // the first frames of each, with the locks it holds or waits for
            }
            String stored = askServer(() -> seqs(server.get(room).body()).toString());
            String status = askServer(() -> server.get("/status").body());
            throw new AssertionError(e.getMessage() + "; the room's page shows seqs " + stored + "; the socket got "
                    + client.frames().size() + " frames " + client.frames() + (client.closed() ? " and was closed" : "")
                    + "; /status " + status + "; thread stacks on standard error", e);
        }
    }

    /** An answer from a server that may be stuck: a stuck one must fail the test, not hang it. */
    private static String askServer(Callable<String> question) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                        try {
                            return question.call();
                        } catch (Exception e) {
                            throw new CompletionException(e);
                        }
                    })
                    .get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "(no answer: " + e + ")";
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
