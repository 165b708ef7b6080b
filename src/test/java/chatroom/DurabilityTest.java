package chatroom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Accepted means stored: what any client saw survives a restart and a kill -9. */
class DurabilityTest {

    @TempDir
    Path dir;

    @Test
    void every_message_a_client_saw_is_in_the_history_after_kill_dash_9() throws Exception {
        Map<Long, String> seen = new HashMap<>();
        try (ChildServer server = ChildServer.start(dir, "--rate", "0")) {
            List<WsClient> senders = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                senders.add(WsClient.connect(server.ws("/r/durable/ws")));
            }
            WsClient watcher = WsClient.connect(server.ws("/r/durable/ws"));
            AtomicBoolean sending = new AtomicBoolean(true);
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < senders.size(); s++) {
                WsClient sender = senders.get(s);
                int id = s;
                Thread t = new Thread(() -> {
                    for (int i = 0; sending.get(); i++) {
                        try {
                            sender.say("s" + id + "-" + i);
                        } catch (RuntimeException e) {
                            if (sending.get()) {
                                e.printStackTrace();
                            }
                            return; // the server is gone
                        }
                    }
                });
                t.start();
                threads.add(t);
            }
            Await.until(() -> watcher.messageTexts().size() >= 300 ? Boolean.TRUE : null,
                    "300 messages before the kill", java.time.Duration.ofSeconds(30));
            server.kill();
            sending.set(false);
            for (Thread t : threads) {
                t.join();
            }
            List<Long> seqs = watcher.seqs();
            List<String> texts = watcher.messageTexts();
            for (int i = 0; i < seqs.size(); i++) {
                seen.put(seqs.get(i), texts.get(i));
            }
            senders.forEach(WsClient::close);
            watcher.close();
        }

        try (TestServer restarted = TestServer.startIn(dir)) {
            Map<Long, String> stored = historyByScrollingBack(restarted, "durable");
            assertThat(seen).hasSizeGreaterThanOrEqualTo(300);
            for (Map.Entry<Long, String> message : seen.entrySet()) {
                assertThat(stored.get(message.getKey()))
                        .as("message %d after kill -9", message.getKey())
                        .isEqualTo(message.getValue());
            }
        }
    }

    /** Every message of a room, read the way a reader scrolling back reads them: page by page. */
    private static Map<Long, String> historyByScrollingBack(TestServer server, String room) throws Exception {
        Map<Long, String> stored = new HashMap<>();
        Pattern message = Pattern.compile("id=\"m-(\\d+)\".*?<p class=\"text\"[^>]*>(.*?)</p>", Pattern.DOTALL);
        Pattern older = Pattern.compile("messages\\?before=(\\d+)");
        long before = Long.MAX_VALUE;
        while (true) {
            String page = server.get("/r/" + room + "/messages?before=" + before).body();
            Matcher m = message.matcher(page);
            while (m.find()) {
                stored.put(Long.parseLong(m.group(1)), m.group(2));
            }
            Matcher next = older.matcher(page);
            if (!next.find()) {
                return stored;
            }
            before = Long.parseLong(next.group(1));
        }
    }

    @Test
    void history_survives_a_graceful_restart() throws Exception {
        try (TestServer first = TestServer.startIn(dir, "--rate", "0");
                WsClient ann = WsClient.connect(first.ws("/r/kept/ws"))) {
            ann.awaitHistory(); // as a page does before writing (a burst before it would follow it, since the history ends at the join)
            for (int i = 1; i <= 60; i++) {
                ann.say("m" + i);
            }
            ann.awaitMessages(60);
        }
        try (TestServer second = TestServer.startIn(dir);
                WsClient bob = WsClient.connect(second.ws("/r/kept/ws"))) {
            // a first join shows the last 50, oldest first
            List<String> history = bob.awaitMessages(50);
            assertThat(history).hasSize(50).first().isEqualTo("m11");
            assertThat(history).last().isEqualTo("m60");
            assertThat(Files.exists(dir.resolve("chatroom.db"))).isTrue();
        }
    }
}
