package chatroom.cluster;

import static chatroom.cluster.RedisCalls.cause;
import static chatroom.cluster.RedisCalls.rootMessage;

import chatroom.metrics.Meters;
import chatroom.room.RoomEvent;
import chatroom.room.Signal;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The speaking half of a {@link RedisFeed}: one command connection that PUBLISHes this node's events,
 * signals and probes, never waiting and never queueing one to replay it late (a publish Redis does
 * not take is dropped and counted; the other nodes catch up from the database). It remembers whether
 * its probes timed out, so that a wedged node replaces this connection too.
 *
 * <p>Threading: any thread may publish; the connection is replaced on the feed's thread only.
 */
final class FeedPublisher {

    private static final Logger log = LoggerFactory.getLogger(FeedPublisher.class);

    private final RedisNode node;
    private final String where;
    private final String sender;
    private final RedisNames names;
    private final AtomicBoolean timingOut = new AtomicBoolean();
    private final RedisCalls.State state = new RedisCalls.State("ok");
    private volatile StatefulRedisConnection<String, String> connection; // null until Redis first answers

    FeedPublisher(RedisNode node, String sender, RedisNames names) {
        this.node = node;
        this.where = node.where();
        this.sender = sender;
        this.names = names;
    }

    /** Connects if not connected yet; throws when Redis cannot be reached. */
    void connect() {
        if (connection == null) {
            connection = node.client().connect(StringCodec.UTF8, node.uri());
        }
    }

    /** A fresh connection in place of one whose commands time out; throws when Redis cannot be reached. */
    void replaceIfTimingOut() {
        if (timingOut.get()) {
            StatefulRedisConnection<String, String> old = connection;
            connection = node.client().connect(StringCodec.UTF8, node.uri());
            timingOut.set(false);
            if (old != null) {
                old.closeAsync();
            }
        }
    }

    boolean isOpen() {
        StatefulRedisConnection<String, String> open = connection;
        return open != null && open.isOpen();
    }

    void publish(RoomEvent event) {
        StatefulRedisConnection<String, String> open = connection;
        if (open == null) {
            failed(new IllegalStateException("not connected to redis yet"));
            return;
        }
        try {
            String payload = Announcement.encode(sender, event);
            open.async().publish(names.room(event.room()), payload).whenComplete((count, e) -> {
                if (e == null) {
                    succeeded();
                } else {
                    failed(e);
                }
            });
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** Published if it can be; a signal is never made up for, so nothing counts as a failed publish. */
    void signal(String room, Signal signal) {
        StatefulRedisConnection<String, String> open = connection;
        if (open == null) {
            return;
        }
        try {
            open.async().publish(names.room(room), Announcement.encode(sender, room, signal));
        } catch (RuntimeException e) {
            log.debug("{}: {}: signal not published: {}", where, room, e.toString());
        }
    }

    /**
     * Publishes probe {@code number} on {@code channel}; the future says whether Redis took it (true,
     * also when it timed out on the way: it may still come back) or refused it (false).
     */
    CompletableFuture<Boolean> probe(String channel, long number) {
        return connection.async().publish(channel, Long.toString(number)).toCompletableFuture().handle((count, e) -> {
            boolean timedOut = e != null && cause(e) instanceof RedisCommandTimeoutException;
            timingOut.set(timedOut);
            return e == null || timedOut;
        });
    }

    private void succeeded() {
        Meters.published();
        if (state.becomes("ok")) {
            log.info("{}: publishing again", where);
        }
    }

    private void failed(Throwable e) {
        Meters.publishFailed();
        node.outage().symptom(e);
        if (state.becomes("failing")) {
            log.info("{}: publish failed ({}); dropping publishes until Redis answers, other nodes catch up from the database",
                    where, rootMessage(e));
        }
    }
}
