package chatroom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Accepted means stored: what any client saw survives a restart and a kill -9. */
class DurabilityTest {

    @TempDir
    Path dir;

    @Test
    void every_message_a_client_saw_is_in_the_history_after_kill_dash_9() throws Exception {
        Map<Long, String> seen = new HashMap<>();
        try (ServerProcess server = ServerProcess.start(dir, "--rate", "0")) {
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
                            return; // the server is gone
                        }
                    }
                });
                t.start();
                threads.add(t);
            }
            watcher.awaitMessages(300);
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

        try (TestServer restarted = TestServer.startIn(dir);
                WsClient reader = WsClient.connect(restarted.ws("/r/durable/ws?after=0"))) {
            long newest = seen.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
            // the replay limit is 500; read the rest, if any, from the history pages
            Map<Long, String> stored = new HashMap<>();
            Await.until(() -> reader.seqs().size() >= Math.min(newest, 500) ? Boolean.TRUE : null, "the replay");
            List<Long> seqs = reader.seqs();
            List<String> texts = reader.messageTexts();
            for (int i = 0; i < seqs.size(); i++) {
                stored.put(seqs.get(i), texts.get(i));
            }
            for (Map.Entry<Long, String> message : seen.entrySet()) {
                if (!stored.containsKey(message.getKey())) {
                    String page = restarted.get("/r/durable/messages?before=" + (message.getKey() + 1)).body();
                    assertThat(page).as("message %d after restart", message.getKey())
                            .contains("id=\"m-" + message.getKey() + "\"")
                            .contains(">" + message.getValue() + "<");
                } else {
                    assertThat(stored.get(message.getKey())).isEqualTo(message.getValue());
                }
            }
            assertThat(seen).hasSizeGreaterThanOrEqualTo(300);
        }
    }

    @Test
    void history_survives_a_graceful_restart() throws Exception {
        try (TestServer first = TestServer.startIn(dir, "--rate", "0");
                WsClient ann = WsClient.connect(first.ws("/r/kept/ws"))) {
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
