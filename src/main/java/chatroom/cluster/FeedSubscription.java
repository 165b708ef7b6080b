package chatroom.cluster;

import static chatroom.cluster.RedisCalls.rootMessage;

import chatroom.metrics.Meters;
import chatroom.room.MessageFeed;
import chatroom.room.RoomEvent;
import chatroom.room.Signal;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening half of a {@link RedisFeed}: one pub/sub connection subscribed to every room that has
 * a receiver on this node and to this node's probe channel, the receivers themselves, and which rooms
 * have not been confirmed again since the subscription came back. Lettuce reconnects the connection by
 * itself and resubscribes the channels it had confirmed; a room subscribed while Redis was away is
 * added when the probe channel is confirmed again. A connection replaced because it was wedged is
 * forgotten: its callbacks are ignored.
 *
 * <p>Threading: callbacks run on Lettuce's I/O thread, receivers on it for other nodes' events (one at
 * a time per room, {@link Receivers}); subscribing and unsubscribing are ordered with the connection's
 * replacement by one lock. The hazard: a receiver that blocks stalls every room's delivery on this node.
 */
final class FeedSubscription {

    private static final Logger log = LoggerFactory.getLogger(FeedSubscription.class);

    private final RedisNode node;
    private final String where;
    private final String sender;
    private final RedisNames names;
    private final String probeChannel;
    private final Probe probe;
    private final Runnable mayHaveMissed;
    private final Executor feedThread;
    private final Receivers receivers = new Receivers();
    private final Object lock = new Object(); // orders receiver changes with (UN)SUBSCRIBE commands
    /** Rooms resubscribed after the probe channel came back whose confirmation has not arrived yet. */
    private final Set<String> unconfirmedRooms = ConcurrentHashMap.newKeySet();
    private final RedisCalls.State state = new RedisCalls.State("starting");
    private volatile StatefulRedisPubSubConnection<String, String> connection; // null until Redis first answers
    private volatile boolean probeSubscribed;
    private volatile boolean closed;

    /**
     * @param probe told when the probe channel is confirmed and when a probe comes back
     * @param mayHaveMissed runs when events may have been missed (the feed's recheck, soon)
     * @param feedThread the feed's thread, for work a callback must not do on the I/O thread
     */
    FeedSubscription(RedisNode node, String sender, RedisNames names, Probe probe, Runnable mayHaveMissed, Executor feedThread) {
        this.node = node;
        this.where = node.where();
        this.sender = sender;
        this.names = names;
        this.probeChannel = names.probe(sender);
        this.probe = probe;
        this.mayHaveMissed = mayHaveMissed;
        this.feedThread = feedThread;
        node.client().addListener(new ConnectionStates());
    }

    String probeChannel() {
        return probeChannel;
    }

    /** Connects and subscribes the probe channel, waiting for the confirmation; throws if Redis cannot be reached. */
    void connectAndWait() {
        StatefulRedisPubSubConnection<String, String> pubsub = open();
        connection = pubsub;
        pubsub.sync().subscribe(probeChannel);
        // returned, so confirmed: connected from here on (the listener may not have run yet)
        probe.subscribed(System.nanoTime());
        probeSubscribed = true;
    }

    /** Connects without waiting for the confirmation, which subscribes every room and rechecks. */
    void connect() {
        StatefulRedisPubSubConnection<String, String> pubsub = open();
        synchronized (lock) {
            connection = pubsub;
            subscribeChannels(pubsub, probeChannel);
        }
        probe.subscribed(System.nanoTime());
    }

    /**
     * The connection looks open but nothing arrives: a fresh one replaces it (the old one's callbacks
     * are ignored from now on). Throws when Redis cannot be reached now.
     */
    void replace() {
        StatefulRedisPubSubConnection<String, String> old = connection;
        connect();
        if (old != null) {
            old.closeAsync();
        }
    }

    boolean connecting() {
        return connection == null;
    }

    /** The probe channel is confirmed and every room it had when it came back is confirmed again. */
    boolean confirmed() {
        return !closed && probeSubscribed && unconfirmedRooms.isEmpty();
    }

    /** The state the log tells: "up", "down", "wedged", "unreachable"; true if it changed. */
    boolean becomes(String now) {
        return state.becomes(now);
    }

    void wedged() {
        probeSubscribed = false;
    }

    void deliver(RoomEvent event) {
        receivers.deliver(event);
    }

    void signal(String room, Signal signal) {
        receivers.signal(room, signal);
    }

    void subscribe(String room, MessageFeed.Receiver receiver) {
        synchronized (lock) {
            if (receivers.put(room, receiver) && connection != null) {
                subscribeChannels(connection, names.room(room));
            }
        }
    }

    void unsubscribe(String room) {
        synchronized (lock) {
            if (receivers.remove(room) && connection != null) {
                unconfirmedRooms.remove(room);
                unsubscribeChannels(connection, names.room(room));
            }
        }
    }

    void close() {
        closed = true;
        probeSubscribed = false;
    }

    private StatefulRedisPubSubConnection<String, String> open() {
        StatefulRedisPubSubConnection<String, String> pubsub = node.client().connectPubSub(StringCodec.UTF8, node.uri());
        pubsub.addListener(new Listener(pubsub));
        return pubsub;
    }

    /** Lettuce's pub/sub callbacks for one connection; callbacks of a replaced connection are ignored. */
    private final class Listener extends RedisPubSubAdapter<String, String> {

        private final StatefulRedisPubSubConnection<String, String> mine;

        Listener(StatefulRedisPubSubConnection<String, String> mine) {
            this.mine = mine;
        }

        @Override
        public void message(String channel, String payload) {
            if (mine != connection || closed) {
                return;
            }
            if (channel.equals(probeChannel)) {
                probeCameBack(payload);
                return;
            }
            String room = names.roomOf(channel);
            if (room != null) {
                announced(room, payload);
            }
        }

        @Override
        public void subscribed(String channel, long count) {
            if (mine != connection || closed) {
                return;
            }
            if (channel.equals(probeChannel)) {
                synchronized (lock) {
                    unconfirmedRooms.clear();
                    unconfirmedRooms.addAll(receivers.rooms());
                }
                probe.subscribed(System.nanoTime());
                probeSubscribed = true;
                if (state.becomes("up")) {
                    log.info("{}: subscription confirmed", where);
                }
                // Lettuce resubscribes only the channels it had confirmed: a room subscribed while
                // Redis was away (the SUBSCRIBE was rejected) is added now. Subscribing twice is harmless.
                feedThread.execute(FeedSubscription.this::subscribeEveryRoom);
            } else {
                String room = names.roomOf(channel);
                if (room != null) {
                    unconfirmedRooms.remove(room);
                    synchronized (lock) {
                        if (!receivers.has(room)) { // unsubscribed while its confirmation was on the way
                            unsubscribeChannels(mine, channel);
                        }
                    }
                }
            }
            mayHaveMissed.run();
        }

        @Override
        public void unsubscribed(String channel, long count) {
            if (mine == connection && channel.equals(probeChannel)) {
                probeSubscribed = false;
            }
        }
    }

    private void probeCameBack(String payload) {
        try {
            probe.seen(Long.parseLong(payload), System.nanoTime());
        } catch (NumberFormatException e) {
            log.warn("{}: probe channel carried '{}'; ignored", where, payload);
        }
    }

    /** Another node's announcement on a room's channel: to the room's receiver, unless it is this node's own. */
    private void announced(String room, String payload) {
        Announcement announcement;
        try {
            announcement = Announcement.decode(payload);
        } catch (IllegalArgumentException e) {
            log.warn("{}: {}: undecodable announcement dropped ({})", where, room, e.getMessage());
            mayHaveMissed.run();
            return;
        }
        if (announcement.nodeId().equals(sender)) {
            return; // delivered locally when it was published
        }
        switch (announcement) {
            case Announcement.Of of -> {
                if (!of.event().room().equals(room)) {
                    log.warn("{}: {}: announcement for room '{}' dropped", where, room, of.event().room());
                    return;
                }
                Meters.received();
                receivers.deliver(of.event());
            }
            case Announcement.Signalled signalled -> {
                if (signalled.room().equals(room)) {
                    receivers.signal(room, signalled.signal());
                }
            }
            case Announcement.Unknown unknown ->
                // a newer node's kind of event: skipped here; the cursor reads what it can of that seq
                // from the store when the next event shows the gap
                log.debug("{}: {}: event {} of unknown kind '{}' skipped", where, room, unknown.seq(), unknown.kind());
        }
    }

    /** Tells when Lettuce loses the subscription, for the feed's readiness and the log. */
    private final class ConnectionStates implements RedisConnectionStateListener {

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> disconnected) {
            if (closed || disconnected != connection) {
                return;
            }
            probeSubscribed = false;
            if (state.becomes("down")) {
                Meters.subscriptionLost();
                // INFO: an outage is told once, by the node's RedisOutage
                log.info("{}: subscription lost; reconnecting, messages from other nodes wait for the recheck", where);
            }
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connected, SocketAddress address) {
            // nothing to do: the subscription counts as back when the probe channel is confirmed
        }
    }

    private void subscribeEveryRoom() {
        synchronized (lock) {
            List<String> all = receivers.rooms().stream().map(names::room).toList();
            if (!all.isEmpty()) {
                subscribeChannels(connection, all.toArray(String[]::new));
            }
        }
    }

    /**
     * Sends SUBSCRIBE without waiting. A failure needs no handling here: it happens while the connection
     * is down, and the probe channel's confirmation after the reconnect resubscribes every room.
     */
    private void subscribeChannels(StatefulRedisPubSubConnection<String, String> on, String... channels) {
        try {
            on.async().subscribe(channels).exceptionally(e -> commandFailed("SUBSCRIBE", channels, e));
        } catch (RuntimeException e) {
            commandFailed("SUBSCRIBE", channels, e);
        }
    }

    /** Sends UNSUBSCRIBE without waiting; after a failure, a message for the room finds no receiver and is dropped. */
    private void unsubscribeChannels(StatefulRedisPubSubConnection<String, String> on, String... channels) {
        try {
            on.async().unsubscribe(channels).exceptionally(e -> commandFailed("UNSUBSCRIBE", channels, e));
        } catch (RuntimeException e) {
            commandFailed("UNSUBSCRIBE", channels, e);
        }
    }

    private Void commandFailed(String command, String[] channels, Throwable e) {
        log.debug("{}: {} of {} channels failed: {}", where, command, channels.length, rootMessage(e));
        return null;
    }
}
