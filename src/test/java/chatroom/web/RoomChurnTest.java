package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.TestServer;
import chatroom.WsClient;
import chatroom.metrics.Scrape;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Room churn against the real server, as an attacker runs it: several loops each open a socket to a room
 * name never used before, wait for the first frame and hang up, for half a minute, while two people chat
 * in a room of their own. The node keeps serving them, and neither its rooms nor its heap grow with the
 * churn.
 */
class RoomChurnTest {

    /** How long the churn runs (shorten it while working on this; it is 30 s as committed). */
    private static final Duration CHURN = Duration.ofSeconds(30);
    private static final int LOOPS = 8;
    /** A message's way from ann to bob, on a loaded machine, while the churn runs. */
    private static final Duration MAX_LATENCY = Duration.ofSeconds(5);
    /** The rooms hosted at once: the chat's, plus the churner's burst of new rooms (60) and a few more. */
    private static final int MAX_ROOMS_SEEN = 80;
    /** Live heap after a collection, above what it was before the churn (the churn left before: ~2.3 KB a room). */
    private static final long MAX_HEAP_GROWTH_BYTES = 16L << 20;

    private static final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    @Test
    void a_churn_of_new_rooms_from_one_address_leaves_the_node_serving_others_with_its_rooms_and_heap_bounded()
            throws Exception {
        try (TestServer server = TestServer.start("--trusted-proxies", "127.0.0.1", "--rate", "0", "--metrics-port", "0");
                WsClient ann = WsClient.connect(server.ws("/r/steady/ws"));
                WsClient bob = WsClient.connect(server.ws("/r/steady/ws"))) {
            bob.awaitFrame(f -> f.contains("people-count\" class=\"count\" hx-swap-oob=\"true\">2"));
            long heapBefore = liveHeap();
            Scrape before = Scrape.of(server.metricsPort());

            List<String> sent = new ArrayList<>();
            long worstLatencyNanos = 0;
            int mostRooms = 0;
            Churner churn = Churner.start(server.port(), LOOPS, "churn", "X-Forwarded-For: 203.0.113.7");
            long end = System.nanoTime() + CHURN.toNanos();
            try {
                // ann and bob chat the whole time: each message is sent once the one before has arrived
                while (System.nanoTime() < end) {
                    String text = "m" + sent.size();
                    long sentAt = System.nanoTime();
                    ann.say(text);
                    sent.add(text);
                    int expected = sent.size();
                    Await.until(() -> bob.messageTexts().size() >= expected, "bob to get " + text, MAX_LATENCY);
                    worstLatencyNanos = Math.max(worstLatencyNanos, System.nanoTime() - sentAt);
                    if (sent.size() % 10 == 0) {
                        Map<String, Integer> status = server.status();
                        mostRooms = Math.max(mostRooms, status.get("awakeRooms") + status.get("asleepRooms"));
                    }
                }
            } finally {
                churn.close();
            }
            System.out.printf("churn for %d s: %d rooms entered (%.0f/s), refused %s, closed %s; ann sent %d, worst latency"
                            + " %d ms; at most %d rooms at once%n",
                    CHURN.toSeconds(), churn.entered.sum(), churn.entered.sum() / (double) CHURN.toSeconds(),
                    churn.refusedByStatus, churn.closedByCode, sent.size(), worstLatencyNanos / 1_000_000, mostRooms);

            // the chat went on: every message, once, in order, in bounded time
            assertThat(bob.messageTexts()).containsExactlyElementsOf(sent);
            assertThat(sent.size()).as("messages chatted").isGreaterThan(10);
            // the churn was held back: its upgrades beyond the address's new-room rate were refused
            assertThat(churn.refused(429)).as("refused upgrades").isPositive();
            assertThat(churn.retryAfter).isNotNull();
            assertThat(churn.entered.sum()).as("rooms the churn entered").isLessThan(60 + 2 * CHURN.toSeconds());
            Scrape after = Scrape.of(server.metricsPort());
            assertThat(after.since(before, "chatroom_websocket_upgrades_refused_total{reason=\"new_room_rate\"}"))
                    .isPositive();
            // rooms and heap stayed bounded, and the churn's rooms are gone
            assertThat(mostRooms).as("rooms hosted at once").isLessThanOrEqualTo(MAX_ROOMS_SEEN);
            Await.until(() -> rooms(server) == 1, "the churn's rooms to go");
            long growth = liveHeap() - heapBefore;
            System.out.printf("live heap after the churn: %+d KB%n", growth >> 10);
            assertThat(growth).as("live heap growth, bytes").isLessThan(MAX_HEAP_GROWTH_BYTES);
        }
    }

    @Test
    void a_churn_from_this_machine_which_no_address_rate_limits_leaves_no_room_behind_and_never_passes_the_cap()
            throws Exception {
        int maxRooms = 50;
        try (TestServer server = TestServer.start("--max-rooms", String.valueOf(maxRooms), "--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/steady/ws"))) {
            ann.awaitFrame(f -> f.contains("id=\"presence\""));
            int mostRooms = 0;
            int said = 0;
            Churner churn = Churner.start(server.port(), LOOPS, "local");
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            try {
                while (System.nanoTime() < end) {
                    ann.say("m" + said++);
                    int expected = said;
                    Await.until(() -> ann.messageTexts().size() >= expected, "ann's own message back", MAX_LATENCY);
                    mostRooms = Math.max(mostRooms, rooms(server));
                }
            } finally {
                churn.close();
            }
            System.out.printf("churn from this machine: %d rooms entered, closed %s; at most %d rooms at once%n",
                    churn.entered.sum(), churn.closedByCode, mostRooms);
            assertThat(churn.entered.sum()).as("rooms entered").isPositive();
            assertThat(mostRooms).as("rooms hosted at once").isLessThanOrEqualTo(maxRooms);
            // every room the churn left goes within seconds, not after --room-idle (60 s)
            Await.until(() -> rooms(server) == 1, "the churn's rooms to go");
        }
    }

    private static int rooms(TestServer server) {
        try {
            Map<String, Integer> status = server.status();
            return status.get("awakeRooms") + status.get("asleepRooms");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The heap in use after a full collection. */
    private static long liveHeap() {
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
