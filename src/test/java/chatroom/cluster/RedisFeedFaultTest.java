package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.PrivateRedis;
import chatroom.room.Message;
import chatroom.room.RoomEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The feed when Redis fails: killed and restarted empty, its pub/sub clients killed, a subscription that
 * goes silent with its socket open. Each test has a private redis-server ({@link PrivateRedis}); the
 * probe runs fast so that a wedge shows within a second.
 */
class RedisFeedFaultTest {

    private static final Duration NO_TAIL_CHECK = Duration.ofHours(1);
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(200);
    private static final Duration PROBE_TIMEOUT = Duration.ofMillis(1000);
    private static final Duration RECOVERY = Duration.ofSeconds(20);
    /**
     * What "publish does not block" is checked against: a publish that waited on Redis would wait out the
     * feed's command timeout (2 s). Far more than a call that returns at once takes even on a loaded 2-core
     * machine, where a bound in the hundreds of milliseconds failed now and then for no fault of the feed.
     */
    private static final Duration BLOCKED = Duration.ofSeconds(2);

    private final String prefix = "chatroom-fault";
    private final RedisNames channels = new RedisNames(prefix);
    private final AtomicLong seqs = new AtomicLong();
    private PrivateRedis redis;
    private FreezingProxy proxy;
    private FeedNode ann;
    private FeedNode bob;

    @BeforeEach
    void start() throws Exception {
        redis = PrivateRedis.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (ann != null) {
            ann.close();
        }
        if (bob != null) {
            bob.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        redis.close();
    }

    private FeedNode node(String url, String id) {
        return new FeedNode(RedisFeed.connect(url,
                new RedisFeed.Settings(prefix, id, NO_TAIL_CHECK, PROBE_INTERVAL, PROBE_TIMEOUT)));
    }

    private RoomEvent message(String room, String text) {
        return new RoomEvent.Posted(new Message(room, seqs.incrementAndGet(), "u1", "ann", text, Instant.ofEpochMilli(1_800_000_000_000L + seqs.get())));
    }

    private void awaitSubscribers(int nodes, String room) {
        RedisFeedTest.awaitSubscribers(redis.port(), channels, nodes, room);
    }

    /** A message from {@code from} reaches {@code to}: the path between the two nodes works. */
    private void assertFlows(FeedNode from, FeedNode to, String room, String text) {
        RoomEvent m = message(room, text);
        from.feed.publish(m);
        Await.until(() -> to.has(m), "'" + text + "' to cross from one node to the other", RECOVERY);
    }

    @Test
    void after_redis_is_killed_and_restarted_empty_the_feed_resubscribes_runs_the_hook_and_messages_flow_again()
            throws Exception {
        ann = node(redis.url(), "node-a").join("lobby");
        bob = node(redis.url(), "node-b").join("lobby");
        awaitSubscribers(2, "lobby");
        assertFlows(ann, bob, "lobby", "before");

        redis.kill();
        Await.until(() -> !ann.feed.connected() && !bob.feed.connected(), "both nodes to notice Redis is gone");
        RoomEvent whileDown = message("lobby", "while down");
        long start = System.nanoTime();
        ann.feed.publish(whileDown); // neither blocks nor throws…
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BLOCKED);
        assertThat(ann.got("lobby")).contains(whileDown); // …and members on the same node still get it
        bob.join("joined-while-down"); // its SUBSCRIBE is rejected now; the feed must add it after the reconnect
        int annRechecks = ann.rechecks.get();
        int bobRechecks = bob.rechecks.get();

        redis.restart();

        Await.until(() -> ann.feed.connected() && bob.feed.connected(), "both nodes to resubscribe by themselves", RECOVERY);
        Await.until(() -> ann.rechecks.get() > annRechecks && bob.rechecks.get() > bobRechecks,
                "the hook on both nodes after resubscribing");
        awaitSubscribers(2, "lobby");
        awaitSubscribers(1, "joined-while-down");
        assertFlows(ann, bob, "lobby", "after, from ann");
        assertFlows(bob, ann, "lobby", "after, from bob");
        assertFlows(ann, bob, "joined-while-down", "to the room joined while down");
        assertThat(bob.got("lobby")).doesNotContain(whileDown); // dropped, not replayed late: the hook is the catch-up
    }

    @Test
    void killing_the_pubsub_clients_again_and_again_resubscribes_and_runs_the_hook_every_time() throws Exception {
        ann = node(redis.url(), "node-a").join("lobby");
        bob = node(redis.url(), "node-b").join("lobby");
        awaitSubscribers(2, "lobby");

        for (int round = 1; round <= 3; round++) {
            int annRechecks = ann.rechecks.get();
            int bobRechecks = bob.rechecks.get();

            assertThat(redis.cli("CLIENT", "KILL", "TYPE", "pubsub")).containsExactly("2");

            Await.until(() -> ann.rechecks.get() > annRechecks && bob.rechecks.get() > bobRechecks,
                    "the hook on both nodes after kill " + round, RECOVERY);
            awaitSubscribers(2, "lobby");
            Await.until(() -> ann.feed.connected() && bob.feed.connected(), "both nodes connected after kill " + round);
            assertFlows(ann, bob, "lobby", "after kill " + round);
        }
    }

    @Test
    void a_subscription_that_goes_silent_with_its_socket_open_is_caught_by_the_probe_and_replaced() throws Exception {
        proxy = new FreezingProxy(redis.port());
        ann = node(redis.url(), "node-a").join("lobby");
        bob = node(proxy.url(), "node-b").join("lobby");
        awaitSubscribers(2, "lobby");
        assertFlows(ann, bob, "lobby", "before");
        int bobRechecks = bob.rechecks.get();

        assertThat(proxy.freezeSubscribers()).isEqualTo(1);
        RoomEvent lost = message("lobby", "into the frozen socket");
        ann.feed.publish(lost);

        Await.until(() -> !bob.feed.connected(), "the probe to notice the silent subscription", RECOVERY);
        Await.until(() -> bob.feed.connected(), "a fresh subscription", RECOVERY);
        Await.until(() -> bob.rechecks.get() > bobRechecks, "the hook after the fresh subscription");
        assertFlows(ann, bob, "lobby", "after the wedge");
        assertThat(bob.got("lobby")).doesNotContain(lost); // the hook, not the feed, recovers it from the store
    }

    @Test
    void a_redis_that_stops_answering_on_both_connections_does_not_block_publish_and_both_are_replaced()
            throws Exception {
        proxy = new FreezingProxy(redis.port());
        ann = node(redis.url(), "node-a").join("lobby");
        bob = node(proxy.url(), "node-b").join("lobby");
        awaitSubscribers(2, "lobby");
        assertFlows(bob, ann, "lobby", "before");

        assertThat(proxy.freezeAll()).isEqualTo(2); // bob's publishing and subscribing connections
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            bob.feed.publish(message("lobby", "into the void " + i));
        }
        // all hundred together, not each: a single one that waited would alone take longer than this
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BLOCKED);
        assertThat(bob.got("lobby")).hasSize(101); // its own members still get every one

        Await.until(() -> !bob.feed.connected(), "the probe to notice", RECOVERY);
        Await.until(() -> bob.feed.connected(), "fresh connections", RECOVERY);
        assertFlows(ann, bob, "lobby", "after, to bob");
        assertFlows(bob, ann, "lobby", "after, from bob"); // the publishing connection was replaced too
    }
}
