package chatroom.cluster;

import chatroom.metrics.Meters;
import chatroom.room.MessageFeed;
import chatroom.room.RoomEvent;
import chatroom.room.Signal;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * The feed of a cluster node: Redis pub/sub rings the other nodes' doorbells, and the database stays
 * the truth. {@link #publish} hands the message to this node's own receiver at once (members on this
 * node get it even while Redis is down), then PUBLISHes it on the room's channel without waiting; a
 * node skips its own announcements when they come back. Redis pub/sub forgets whatever is published
 * while a subscriber is away, and this feed never queues a publish to replay it late: while Redis is
 * unreachable publishes fail at once and are dropped, and receivers catch up from the database when
 * the {@link #whenMessagesMayBeLost} hook runs.
 *
 * <p>State: one command connection for PUBLISH, one pub/sub connection subscribed to every local room
 * and to this node's probe channel (both absent until Redis first answers, for a node started while it
 * was away), this run's incarnation (announcements and the probe channel carry the node id with it,
 * so that another process under the same id is not taken for this one), the node's {@link RedisOutage},
 * and one scheduler thread that runs the probe, the periodic tail check and the hook. Lettuce reconnects both connections by itself and resubscribes the channels it
 * had confirmed; a room subscribed while Redis was away is added when the probe channel's
 * subscription is confirmed again.
 *
 * <p>The hook runs after every subscription confirmation (coalesced) and every {@code tailCheck}, so a
 * message whose publisher died between commit and PUBLISH still arrives. The probe guards against the
 * one failure reconnecting cannot see: a subscription that stays open while nothing arrives. Every
 * {@code probeInterval} the node publishes to its own probe channel; a probe Redis accepted that has
 * not come back within {@code probeTimeout} means the subscription is wedged, and the pub/sub
 * connection is replaced (the publishing one too if its probes timed out). {@link #connected()} says
 * whether both directions work now: what a readiness check wants.
 *
 * <p>Threading: every public method may be called from any thread and returns without waiting on
 * Redis. Receivers run on Lettuce's I/O thread for messages from other nodes and on the publisher's
 * thread for this node's own, one at a time per room ({@link Receivers}). The hazard: a receiver that
 * blocks stalls the delivery of every room on this node, since the subscription has one I/O thread.
 */
public final class RedisFeed implements MessageFeed {

    private static final Logger log = LoggerFactory.getLogger(RedisFeed.class);

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Commands waiting for a slow Redis beyond this many fail (and are dropped) instead of filling the heap. */
    private static final int MAX_QUEUED_COMMANDS = 65_536;
    /** Confirmations arrive one per channel; one recheck shortly after a burst of them is enough. */
    private static final Duration RECHECK_COALESCE = Duration.ofMillis(50);

    /**
     * How a node reaches Redis and how often it checks the subscription.
     *
     * @param redisUrl {@code redis://HOST:PORT[/db]} or {@code rediss://…}
     * @param prefix the channels' prefix: nodes of one deployment share it, other deployments (or test
     *     runs) on the same Redis pick another
     * @param nodeId unique among the nodes of the deployment; a node skips announcements carrying its own id
     * @param tailCheck how often the hook runs without any other reason
     * @param probeInterval how often the node publishes its liveness probe
     * @param probeTimeout how long an accepted probe may take to come back before the subscription counts
     *     as wedged; also how long {@link #connected()} stays true without proof of life
     */
    public record Settings(
            String redisUrl, String prefix, String nodeId, Duration tailCheck, Duration probeInterval, Duration probeTimeout) {

        public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(1);
        public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(4);

        public Settings {
            Objects.requireNonNull(redisUrl, "redisUrl");
            Objects.requireNonNull(nodeId, "nodeId");
            if (prefix == null || prefix.isEmpty()) {
                throw new IllegalArgumentException("the Redis channel prefix is empty");
            }
            if (!tailCheck.isPositive() || !probeInterval.isPositive()) {
                throw new IllegalArgumentException("tail check " + tailCheck.toMillis() + " ms and probe interval "
                        + probeInterval.toMillis() + " ms must both be above 0");
            }
            if (!probeTimeout.minus(probeInterval).isPositive()) {
                throw new IllegalArgumentException("probe timeout " + probeTimeout.toMillis()
                        + " ms must be longer than the probe interval " + probeInterval.toMillis() + " ms");
            }
        }

        /** Settings with the default probe: every second, wedged after 4 s without an accepted probe back. */
        public static Settings of(String redisUrl, String prefix, String nodeId, Duration tailCheck) {
            return new Settings(redisUrl, prefix, nodeId, tailCheck, DEFAULT_PROBE_INTERVAL, DEFAULT_PROBE_TIMEOUT);
        }

        public Settings withProbe(Duration interval, Duration timeout) {
            return new Settings(redisUrl, prefix, nodeId, tailCheck, interval, timeout);
        }
    }

    private final Settings settings;
    private final String where; // "redis HOST:PORT", how log lines and errors name the server
    private final RedisOutage outage;
    private final Disposable reconnectFailures;
    /** This run of the node: a node restarted under the same id is another incarnation. */
    private final String incarnation = NodeClaim.newIncarnation();
    /** How this run names itself on the wire: another process under the same id is not "itself". */
    private final String sender;
    private final RedisURI uri;
    private final ClientResources resources;
    private final RedisClient client;
    private final Channels channels;
    private final String probeChannel;
    private final Receivers receivers = new Receivers();
    private final Object subscriptionLock = new Object(); // orders receiver changes with (UN)SUBSCRIBE commands
    /** Rooms resubscribed after the probe channel came back whose confirmation has not arrived yet. */
    private final Set<String> unconfirmedRooms = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService loop;
    private final Probe probe = new Probe(System.nanoTime());
    private final AtomicLong probesSent = new AtomicLong();
    private final AtomicBoolean recheckPending = new AtomicBoolean();
    private final AtomicBoolean publisherTimingOut = new AtomicBoolean();
    private final AtomicReference<String> subscriptionState = new AtomicReference<>("starting");
    private final AtomicReference<String> publishState = new AtomicReference<>("ok");

    private volatile StatefulRedisConnection<String, String> publisher; // null until Redis first answers
    private volatile StatefulRedisPubSubConnection<String, String> subscriber; // likewise
    private volatile RedisPresence board;
    private volatile boolean probeSubscribed;
    private volatile Runnable recheck = () -> {};
    private volatile boolean closed;

    /**
     * Connects to Redis and subscribes this node's probe channel before returning. When Redis cannot be
     * reached the feed starts anyway, disconnected (publishes are dropped, receivers get this node's own
     * messages), logs that once, and connects when Redis answers: the probe channel's confirmation then
     * subscribes every room and runs the hook, as after any reconnect.
     *
     * @throws IllegalArgumentException when the URL is malformed
     */
    public static RedisFeed connect(Settings settings) {
        return new RedisFeed(settings);
    }

    private RedisFeed(Settings settings) {
        this.settings = settings;
        this.uri = parse(settings.redisUrl());
        uri.setTimeout(COMMAND_TIMEOUT);
        this.where = "redis " + uri.getHost() + ":" + uri.getPort();
        this.outage = new RedisOutage(where);
        this.sender = settings.nodeId() + "~" + incarnation;
        this.channels = new Channels(settings.prefix());
        this.probeChannel = channels.probe(sender);
        // Our own small resources: two connections need little, and Lettuce's default (one thread per
        // core) would sit beside the web server's event loops for nothing; 2 is Lettuce's minimum.
        // Reconnects back off from 100 ms to 2 s with jitter, so nodes return soon after Redis does,
        // but not all at once.
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.equalJitter(Duration.ofMillis(100), Duration.ofSeconds(2), 100, TimeUnit.MILLISECONDS))
                .build();
        // each failed reconnect says why (refused, unknown host…): the root cause the outage's WARN names
        this.reconnectFailures = resources.eventBus().get().subscribe(event -> {
            if (event instanceof ReconnectFailedEvent failed) {
                outage.cause(failed.getCause());
            }
        });
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // A publish made while Redis is away fails now instead of being replayed late (and out of
                // order) after a reconnect; receivers fill the gap from the database.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                // RESP2: Redis then counts the subscriber as a pub/sub client, so the pub/sub output buffer
                // limits and CLIENT KILL TYPE pubsub apply to it as operators expect.
                .protocolVersion(ProtocolVersion.RESP2)
                .requestQueueSize(MAX_QUEUED_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
        client.addListener(new ConnectionStates());
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "redis-feed");
            t.setDaemon(true);
            return t;
        });
        try {
            this.publisher = client.connect(StringCodec.UTF8, uri);
            StatefulRedisPubSubConnection<String, String> pubsub = client.connectPubSub(StringCodec.UTF8, uri);
            pubsub.addListener(new Listener(pubsub));
            this.subscriber = pubsub;
            pubsub.sync().subscribe(probeChannel);
            // returned, so confirmed: connected() is true from here on (the listener may not have run yet)
            probe.subscribed(probesSent.get(), System.nanoTime());
            probeSubscribed = true;
        } catch (RuntimeException e) {
            // a deploy during a Redis outage must not take the node out: it serves its own rooms meanwhile
            outage.unreachableAtStart(e);
        }
        long probeMs = settings.probeInterval().toMillis();
        loop.scheduleWithFixedDelay(this::probeTick, probeMs, probeMs, TimeUnit.MILLISECONDS);
        long tailMs = settings.tailCheck().toMillis();
        loop.scheduleWithFixedDelay(this::runRecheck, tailMs, tailMs, TimeUnit.MILLISECONDS);
        log.info("{}: feed {} as node {} (incarnation {}) with channel prefix '{}'", where,
                subscriber == null ? "waiting for redis" : "connected", settings.nodeId(), incarnation, settings.prefix());
    }

    /**
     * Connects what is not connected yet, for a feed that started while Redis was unreachable; on the
     * feed's thread, once per probe interval until it works. The probe channel's confirmation does the rest.
     */
    private void connectLate() {
        try {
            if (publisher == null) {
                publisher = client.connect(StringCodec.UTF8, uri);
            }
            StatefulRedisPubSubConnection<String, String> pubsub = client.connectPubSub(StringCodec.UTF8, uri);
            pubsub.addListener(new Listener(pubsub));
            synchronized (subscriptionLock) {
                subscriber = pubsub;
                subscribeChannels(pubsub, probeChannel);
            }
            probe.subscribed(probesSent.get(), System.nanoTime());
            log.info("{}: connected; subscribing this node's rooms", where);
        } catch (RuntimeException e) {
            outage.cause(e);
        }
    }

    /**
     * The presence board of this node, on the same Redis client (its connections, I/O threads and
     * reconnect policy); close the board before the feed.
     */
    public RedisPresence presenceBoard(RedisPresence.Settings presence) {
        RedisPresence made = RedisPresence.connect(client, uri, presence, incarnation, outage);
        board = made;
        return made;
    }

    @Override
    public void publish(RoomEvent event) {
        receivers.deliver(event);
        if (closed) {
            return;
        }
        if (publisher == null) {
            publishFailed(new IllegalStateException("not connected to redis yet"));
            return;
        }
        try {
            String payload = Announcement.encode(sender, event);
            publisher.async().publish(channels.room(event.room()), payload).whenComplete((count, e) -> {
                if (e == null) {
                    publishSucceeded();
                } else {
                    publishFailed(e);
                }
            });
        } catch (RuntimeException e) {
            publishFailed(e);
        }
    }

    /** Like {@link #publish}: local receivers at once, the other nodes over the room's channel. */
    @Override
    public void signal(String room, Signal signal) {
        receivers.signal(room, signal);
        if (closed || publisher == null) {
            return; // a signal is never made up for; nothing to count as a failed publish
        }
        try {
            publisher.async().publish(channels.room(room), Announcement.encode(sender, room, signal));
        } catch (RuntimeException e) {
            log.debug("{}: {}: signal not published: {}", where, room, e.toString());
        }
    }

    @Override
    public void subscribe(String room, Receiver receiver) {
        synchronized (subscriptionLock) {
            if (receivers.put(room, receiver) && subscriber != null) {
                subscribeChannels(subscriber, channels.room(room));
            }
        }
    }

    @Override
    public void unsubscribe(String room) {
        synchronized (subscriptionLock) {
            if (receivers.remove(room) && subscriber != null) {
                unconfirmedRooms.remove(room);
                unsubscribeChannels(subscriber, channels.room(room));
            }
        }
    }

    /** Runs {@code recheck} on the feed's thread after each (re)subscription and every {@code tailCheck}. */
    @Override
    public void whenMessagesMayBeLost(Runnable recheck) {
        this.recheck = Objects.requireNonNull(recheck);
    }

    /**
     * True while both directions work: the probe channel's subscription is confirmed and alive within the
     * probe timeout, every room it had when the subscription came back is confirmed again, and the
     * publishing connection is open (after Redis returns, one connection may be back before the other; a
     * publish made in between is dropped).
     */
    @Override
    public boolean connected() {
        StatefulRedisConnection<String, String> publishing = publisher;
        return !closed
                && probeSubscribed
                && unconfirmedRooms.isEmpty()
                && publishing != null
                && publishing.isOpen()
                && probe.aliveWithin(System.nanoTime(), settings.probeTimeout().toNanos());
    }

    /**
     * Why this node is not ready, for the readiness check: Redis unreachable (since when, and why), the
     * subscription not confirmed, or this node's presence not joined yet; empty when ready.
     */
    @Override
    public String trouble() {
        if (!connected()) {
            String reason = outage.reason();
            return reason.isEmpty() ? where + ": subscription not confirmed yet" : reason;
        }
        RedisPresence presence = board;
        return presence == null ? "" : presence.trouble();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        probeSubscribed = false;
        shutDown();
        log.info("{}: feed closed", where);
    }

    // --- the subscription

    /** Lettuce's pub/sub callbacks for one connection; callbacks of a replaced connection are ignored. */
    private final class Listener extends RedisPubSubAdapter<String, String> {

        private final StatefulRedisPubSubConnection<String, String> connection;

        Listener(StatefulRedisPubSubConnection<String, String> connection) {
            this.connection = connection;
        }

        @Override
        public void message(String channel, String payload) {
            if (connection != subscriber || closed) {
                return;
            }
            if (channel.equals(probeChannel)) {
                probeCameBack(payload);
                return;
            }
            String room = channels.roomOf(channel);
            if (room == null) {
                return;
            }
            Announcement announcement;
            try {
                announcement = Announcement.decode(payload);
            } catch (IllegalArgumentException e) {
                log.warn("{}: {}: undecodable announcement dropped ({})", where, room, e.getMessage());
                recheckSoon();
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

        @Override
        public void subscribed(String channel, long count) {
            if (connection != subscriber || closed) {
                return;
            }
            if (channel.equals(probeChannel)) {
                synchronized (subscriptionLock) {
                    unconfirmedRooms.clear();
                    unconfirmedRooms.addAll(receivers.rooms());
                }
                probe.subscribed(probesSent.get(), System.nanoTime());
                probeSubscribed = true;
                if (changed(subscriptionState, "up")) {
                    log.info("{}: subscription confirmed", where);
                }
                // Lettuce resubscribes only the channels it had confirmed: a room subscribed while
                // Redis was away (the SUBSCRIBE was rejected) is added now. Subscribing twice is harmless.
                execute(RedisFeed.this::subscribeEveryRoom);
            } else {
                String room = channels.roomOf(channel);
                if (room != null) {
                    unconfirmedRooms.remove(room);
                    synchronized (subscriptionLock) {
                        if (!receivers.has(room)) { // unsubscribed while its confirmation was on the way
                            unsubscribeChannels(connection, channel);
                        }
                    }
                }
            }
            recheckSoon();
        }

        @Override
        public void unsubscribed(String channel, long count) {
            if (connection == subscriber && channel.equals(probeChannel)) {
                probeSubscribed = false;
            }
        }
    }

    /** Tells when Lettuce loses or regains a connection, for {@link #connected()} and the log. */
    private final class ConnectionStates implements RedisConnectionStateListener {

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            if (closed) {
                return;
            }
            if (connection == subscriber) {
                probeSubscribed = false;
                if (changed(subscriptionState, "down")) {
                    Meters.subscriptionLost();
                    // INFO: an outage is told once, by the node's RedisOutage
                    log.info("{}: subscription lost; reconnecting, messages from other nodes wait for the recheck", where);
                }
            }
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
            // nothing to do: the subscription counts as back when the probe channel is confirmed
        }
    }

    private void subscribeEveryRoom() {
        synchronized (subscriptionLock) {
            List<String> all = receivers.rooms().stream().map(channels::room).toList();
            if (!all.isEmpty()) {
                subscribeChannels(subscriber, all.toArray(String[]::new));
            }
        }
    }

    /**
     * Sends SUBSCRIBE without waiting. A failure needs no handling here: it happens while the connection
     * is down, and the probe channel's confirmation after the reconnect resubscribes every room.
     */
    private void subscribeChannels(StatefulRedisPubSubConnection<String, String> connection, String... names) {
        try {
            connection.async().subscribe(names).exceptionally(e -> commandFailed("SUBSCRIBE", names, e));
        } catch (RuntimeException e) {
            commandFailed("SUBSCRIBE", names, e);
        }
    }

    /** Sends UNSUBSCRIBE without waiting; after a failure, a message for the room finds no receiver and is dropped. */
    private void unsubscribeChannels(StatefulRedisPubSubConnection<String, String> connection, String... names) {
        try {
            connection.async().unsubscribe(names).exceptionally(e -> commandFailed("UNSUBSCRIBE", names, e));
        } catch (RuntimeException e) {
            commandFailed("UNSUBSCRIBE", names, e);
        }
    }

    private Void commandFailed(String command, String[] names, Throwable e) {
        log.debug("{}: {} of {} channels failed: {}", where, command, names.length, rootMessage(e));
        return null;
    }

    // --- the probe

    private void probeTick() {
        try {
            long now = System.nanoTime();
            RedisPresence presence = board;
            outage.sample(connected() && (presence == null || presence.healthy()), now);
            if (subscriber == null) {
                connectLate();
                return;
            }
            if (probe.wedged(now, settings.probeTimeout().toNanos())) {
                replaceWedgedConnections(probe.silentNanos(now));
                return;
            }
            long number = probesSent.incrementAndGet();
            publisher.async().publish(probeChannel, Long.toString(number)).whenComplete((count, e) -> {
                if (e == null || unwrap(e) instanceof RedisCommandTimeoutException) {
                    // Redis took it (or it vanished on the way): it must come back within the timeout
                    probe.left(number, now);
                }
                publisherTimingOut.set(e != null && unwrap(e) instanceof RedisCommandTimeoutException);
            });
        } catch (RuntimeException e) {
            log.warn("{}: probe failed; trying again in {} ms", where, settings.probeInterval().toMillis(), e);
        }
    }

    private void probeCameBack(String payload) {
        try {
            probe.seen(Long.parseLong(payload), System.nanoTime());
        } catch (NumberFormatException e) {
            log.warn("{}: probe channel carried '{}'; ignored", where, payload);
        }
    }

    /**
     * The subscription looks open but nothing arrives (or the publishing connection stopped answering):
     * replace the connection(s) Lettuce cannot see are broken. Runs on the feed's thread; if Redis
     * cannot be reached now, the probe stays overdue and the next tick tries again.
     */
    private void replaceWedgedConnections(long silentNanos) {
        probeSubscribed = false;
        if (changed(subscriptionState, "wedged")) {
            Meters.subscriptionLost();
            log.warn("{}: subscription silent for {} ms although Redis accepts publishes; replacing the connection",
                    where, TimeUnit.NANOSECONDS.toMillis(silentNanos));
        }
        try {
            if (publisherTimingOut.get()) {
                StatefulRedisConnection<String, String> old = publisher;
                publisher = client.connect(StringCodec.UTF8, uri);
                publisherTimingOut.set(false);
                old.closeAsync();
            }
            StatefulRedisPubSubConnection<String, String> old = subscriber;
            StatefulRedisPubSubConnection<String, String> fresh = client.connectPubSub(StringCodec.UTF8, uri);
            fresh.addListener(new Listener(fresh));
            synchronized (subscriptionLock) {
                subscriber = fresh;
                subscribeChannels(fresh, probeChannel);
            }
            // probes sent so far went to the old connection; judge the new one afresh
            probe.subscribed(probesSent.get(), System.nanoTime());
            old.closeAsync();
        } catch (RuntimeException e) {
            outage.cause(e);
            if (changed(subscriptionState, "unreachable")) {
                log.info("{}: cannot replace the wedged connection ({}); trying again every {} ms",
                        where, rootMessage(e), settings.probeInterval().toMillis());
            }
        }
    }

    // --- the hook

    private void recheckSoon() {
        if (!closed && recheckPending.compareAndSet(false, true)) {
            try {
                loop.schedule(() -> {
                    recheckPending.set(false);
                    runRecheck();
                }, RECHECK_COALESCE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                recheckPending.set(false); // closing
            }
        }
    }

    private void runRecheck() {
        if (closed) {
            return;
        }
        try {
            Meters.tailChecked();
            recheck.run();
        } catch (RuntimeException e) {
            log.warn("{}: the lost-message recheck failed; it runs again at the next (re)subscription or tail check",
                    where, e);
        }
    }

    // --- publishing

    private void publishSucceeded() {
        Meters.published();
        if (changed(publishState, "ok")) {
            log.info("{}: publishing again", where);
        }
    }

    private void publishFailed(Throwable e) {
        Meters.publishFailed();
        outage.symptom(e);
        if (changed(publishState, "failing")) {
            log.info("{}: publish failed ({}); dropping publishes until Redis answers, other nodes catch up from the database",
                    where, rootMessage(e));
        }
    }

    // --- plumbing

    private void execute(Runnable task) {
        try {
            loop.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("{}: feed task failed", where, e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** Closes both connections (the client closes what it opened) and the threads. */
    private void shutDown() {
        loop.shutdownNow();
        reconnectFailures.dispose();
        try {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            log.debug("{}: client shutdown failed", where, e);
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static boolean changed(AtomicReference<String> state, String now) {
        return !now.equals(state.getAndSet(now));
    }

    private static RedisURI parse(String url) {
        try {
            return RedisURI.create(url);
        } catch (RuntimeException e) {
            String shown = url.replaceAll("(//[^/@:]*:)[^/@]*@", "$1***@"); // no password in errors
            throw new IllegalArgumentException(
                    "Redis URL '" + shown + "' is malformed; expected redis://HOST:PORT[/db] or rediss://HOST:PORT[/db]", e);
        }
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }
}
