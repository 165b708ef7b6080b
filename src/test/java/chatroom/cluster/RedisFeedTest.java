package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatroom.Await;
import chatroom.PrivateRedis;
import chatroom.room.Author;
import chatroom.room.Message;
import chatroom.room.PresenceBoard;
import chatroom.room.RoomEvent;
import chatroom.room.Signal;
import chatroom.room.StoredMessages;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes' feeds in one JVM against the machine's Redis (127.0.0.1:6379), each test run on channels
 * of its own random prefix. Failures of Redis itself are in {@link RedisFeedFaultTest}.
 */
class RedisFeedTest {

    static final String REDIS = "redis://127.0.0.1:6379";
    private static final Duration NO_TAIL_CHECK = Duration.ofHours(1);

    private final String prefix = "chatroom-test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    private final AtomicLong seqs = new AtomicLong();
    private FeedNode ann;
    private FeedNode bob;

    @BeforeEach
    void start() {
        ann = node("node-a", NO_TAIL_CHECK);
        bob = node("node-b", NO_TAIL_CHECK);
    }

    @AfterEach
    void stop() {
        ann.close();
        bob.close();
    }

    private FeedNode node(String id, Duration tailCheck) {
        return new FeedNode(RedisFeed.connect(REDIS, RedisFeed.Settings.of(prefix, id, tailCheck)));
    }

    private RoomEvent message(String room, String text) {
        return new RoomEvent.Posted(new Message(room, seqs.incrementAndGet(), "u-" + text, "author of " + text, text,
                Instant.ofEpochMilli(1_800_000_000_000L + seqs.get())));
    }

    /** Waits until Redis counts {@code nodes} subscribers on each room's channel. */
    private void awaitSubscribers(int nodes, String... rooms) {
        awaitSubscribers(6379, new RedisNames(prefix), nodes, rooms);
    }

    static void awaitSubscribers(int redisPort, RedisNames channels, int nodes, String... rooms) {
        List<String> names = Stream.of(rooms).map(channels::room).toList();
        Await.until(() -> subscriberCounts(redisPort, names).stream().allMatch(n -> n == nodes),
                nodes + " subscribers on each of " + names);
    }

    /** PUBSUB NUMSUB: how many clients Redis counts on each channel, in order. */
    static List<Long> subscriberCounts(int redisPort, List<String> channels) {
        List<String> args = new ArrayList<>(List.of("PUBSUB", "NUMSUB"));
        args.addAll(channels);
        try {
            List<String> reply = PrivateRedis.cli(redisPort, args.toArray(String[]::new)); // channel, count, channel, count…
            List<Long> counts = new ArrayList<>();
            for (int i = 1; i < reply.size(); i += 2) {
                counts.add(Long.parseLong(reply.get(i).trim()));
            }
            return counts;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void a_message_published_on_one_node_reaches_the_other_nodes_receiver_of_that_room_only() {
        ann.join("lobby", "other");
        bob.join("lobby", "other");
        awaitSubscribers(2, "lobby");
        awaitSubscribers(2, "other");

        RoomEvent hello = message("lobby", "hello");
        ann.feed.publish(hello);

        Await.until(() -> bob.has(hello), "bob's node to get the message");
        RoomEvent marker = message("other", "marker");
        ann.feed.publish(marker);
        Await.until(() -> bob.has(marker), "bob's node to get the later message in the other room");
        assertThat(bob.got("lobby")).containsExactly(hello); // every field survived the trip
        assertThat(bob.got("other")).containsExactly(marker);
    }

    @Test
    void the_publishing_node_delivers_its_own_message_at_once_and_only_once() {
        ann.join("lobby");
        bob.join("lobby");
        awaitSubscribers(2, "lobby");

        RoomEvent mine = message("lobby", "mine");
        ann.feed.publish(mine);
        assertThat(ann.got("lobby")).containsExactly(mine); // before publish returned

        // bob's reply is published after Redis fanned out ann's message, so it reaches ann after ann's own echo
        Await.until(() -> bob.has(mine), "bob's node to get ann's message");
        RoomEvent reply = message("lobby", "reply");
        bob.feed.publish(reply);
        Await.until(() -> ann.has(reply), "ann's node to get bob's reply");
        assertThat(ann.got("lobby")).containsExactly(mine, reply);
        assertThat(bob.got("lobby")).containsExactly(mine, reply);
    }

    @Test
    void room_names_with_colons_percent_signs_patterns_and_any_printable_characters_stay_apart() {
        List<String> rooms = List.of("a", "a:b", "a%3Ab", "a%b", "a:room:b", "room", ":", "%", "*", "a*", "[ab]", "?",
                "日本語 ☃ room", "with space", "~private3x7");
        for (String room : rooms) {
            ann.join(room);
            bob.join(room);
        }
        awaitSubscribers(2, rooms.toArray(String[]::new));

        for (String room : rooms) {
            ann.feed.publish(message(room, "to " + room));
        }

        for (String room : rooms) {
            Await.until(() -> bob.got(room).size() == 1, "bob's node to get the message for room '" + room + "'");
        }
        RoomEvent last = message("a", "last");
        ann.feed.publish(last);
        Await.until(() -> bob.has(last), "the last message");
        for (String room : rooms) {
            assertThat(bob.got(room)).extracting(e -> StoredMessages.message(e).text()).as("room '%s'", room)
                    .containsExactlyElementsOf(room.equals("a") ? List.of("to a", "last") : List.of("to " + room));
        }
    }

    @Test
    void an_event_of_a_kind_this_node_does_not_know_is_skipped_and_the_feed_goes_on() throws Exception {
        bob.join("lobby");
        awaitSubscribers(1, "lobby");

        // a newer node, mid-upgrade, announces a kind of event this version has never heard of
        String newer = "{\"k\":\"reacted\",\"n\":\"node-new\",\"r\":\"lobby\",\"s\":" + seqs.incrementAndGet()
                + ",\"target\":1,\"emoji\":\"🎉\"}";
        PrivateRedis.cli(6379, "PUBLISH", new RedisNames(prefix).room("lobby"), newer);
        RoomEvent after = message("lobby", "after the unknown kind");
        ann.feed.publish(after);

        Await.until(() -> bob.has(after), "the known event after the unknown one");
        assertThat(bob.got("lobby")).containsExactly(after);
        assertThat(bob.feed.connected()).isTrue();
    }

    @Test
    void a_signal_from_one_node_reaches_the_other_nodes_receiver_of_that_room_and_is_never_an_event() {
        ann.join("lobby");
        bob.join("lobby", "other");
        awaitSubscribers(2, "lobby");
        Signal renamed = new Signal.Presence(PresenceBoard.Change.renamed(new Author("u-7", "anna", "t7"), "ann"));

        ann.feed.signal("lobby", renamed);

        Await.until(() -> bob.signals("lobby").contains(renamed), "bob's node to get the signal");
        assertThat(ann.signals("lobby")).containsExactly(renamed); // its own node's, once, at once
        assertThat(bob.signals("other")).isEmpty();
        assertThat(bob.got("lobby")).isEmpty();
    }

    @Test
    void after_unsubscribe_a_node_gets_nothing_more_for_that_room() {
        ann.join("lobby", "other");
        bob.join("lobby", "other");
        awaitSubscribers(2, "lobby");
        bob.feed.unsubscribe("lobby");
        awaitSubscribers(1, "lobby");

        ann.feed.publish(message("lobby", "unheard"));
        RoomEvent marker = message("other", "marker");
        ann.feed.publish(marker);

        Await.until(() -> bob.has(marker), "the marker in the other room");
        assertThat(bob.got("lobby")).isEmpty();
    }

    @Test
    void a_node_is_connected_after_connect_and_runs_the_hook_once_a_new_room_is_subscribed() {
        assertThat(bob.feed.connected()).isTrue();
        int before = bob.rechecks.get();

        bob.join("lobby");

        Await.until(() -> bob.rechecks.get() > before, "the hook after the room's subscription is confirmed");
    }

    @Test
    void the_tail_check_runs_the_hook_now_and_then_without_any_other_reason() {
        try (FeedNode carl = node("node-c", Duration.ofMillis(100))) {
            Await.until(() -> carl.rechecks.get() >= 3, "three tail checks");
        }
    }

    @Test
    void the_hook_running_on_a_closed_feed_or_a_failing_hook_do_not_stop_the_feed() {
        bob.feed.whenMessagesMayBeLost(() -> {
            throw new IllegalStateException("recheck failed");
        });
        ann.join("lobby");
        bob.join("lobby");
        awaitSubscribers(2, "lobby");

        RoomEvent after = message("lobby", "after");
        ann.feed.publish(after);

        Await.until(() -> bob.has(after), "delivery despite the failing hook");
    }

    @Test
    void a_feed_whose_redis_is_unreachable_starts_at_once_unready_saying_why_and_still_delivers_its_own_messages()
            throws IOException {
        int closedPort;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = free.getLocalPort();
        }
        long start = System.nanoTime();

        try (FeedNode alone = new FeedNode(RedisFeed.connect("redis://127.0.0.1:" + closedPort, RedisFeed.Settings.of(prefix, "node-x", NO_TAIL_CHECK)))
                .join("lobby")) {
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(alone.feed.connected()).isFalse();
            assertThat(alone.feed.trouble())
                    .startsWith("redis 127.0.0.1:" + closedPort + " unreachable since ")
                    .containsIgnoringCase("refused");

            RoomEvent mine = message("lobby", "stored while redis is away");
            alone.feed.publish(mine);
            assertThat(alone.got("lobby")).containsExactly(mine);
        }
    }

    @Test
    void a_malformed_url_is_refused_naming_the_url_and_the_expected_form() {
        assertThatThrownBy(() -> RedisFeed.connect("http://x:1", RedisFeed.Settings.of(prefix, "node-x", NO_TAIL_CHECK)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'http://x:1'")
                .hasMessageContaining("expected redis://HOST:PORT");
    }
}
