package chatroom.cluster;

import static chatroom.cluster.RedisCalls.rootMessage;

import chatroom.metrics.Meters;
import chatroom.room.MessageFeed;
import chatroom.room.RoomEvent;
import chatroom.room.Signal;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feed of a cluster node: Redis pub/sub rings the other nodes' doorbells, and the database stays
 * the truth. {@link #publish} hands the event to this node's own receiver at once (members on this
 * node get it even while Redis is down), then PUBLISHes it on the room's channel without waiting; a
 * node skips its own announcements when they come back. Redis pub/sub forgets whatever is published
 * while a subscriber is away, and this feed never queues a publish to replay it late: while Redis is
 * unreachable publishes fail at once and are dropped, and receivers catch up from the database when
 * the {@link #whenMessagesMayBeLost} hook runs. Signals go the same way and are never made up for.
 *
 * <p>State: the speaking half ({@link FeedPublisher}, one command connection) and the listening half
 * ({@link FeedSubscription}, one pub/sub connection), both absent until Redis first answers for a
 * node started while it was away; this run's name on the wire (the
 * node id and its incarnation, so that another process under the same id is not taken for this one),
 * and one scheduler thread that runs the probe, the periodic tail check and the hook. The Lettuce
 * client is the {@link RedisNode}'s, which makes the feed.
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
 * Redis. Receivers run on Lettuce's I/O thread for events from other nodes and on the publisher's
 * thread for this node's own, one at a time per room ({@link Receivers}). The hazard: a receiver that
 * blocks stalls the delivery of every room on this node, since the subscription has one I/O thread.
 */
public final class RedisFeed implements MessageFeed {

    private static final Logger log = LoggerFactory.getLogger(RedisFeed.class);

    /** Confirmations arrive one per channel; one recheck shortly after a burst of them is enough. */
    private static final Duration RECHECK_COALESCE = Duration.ofMillis(50);

    /**
     * How a node's feed names its channels and how often it checks the subscription.
     *
     * @param prefix the channels' prefix: nodes of one deployment share it, other deployments (or test
     *     runs) on the same Redis pick another
     * @param nodeId unique among the nodes of the deployment; a node skips announcements carrying its own id
     * @param tailCheck how often the hook runs without any other reason
     * @param probeInterval how often the node publishes its liveness probe
     * @param probeTimeout how long an accepted probe may take to come back before the subscription counts
     *     as wedged; also how long {@link #connected()} stays true without proof of life
     */
    public record Settings(String prefix, String nodeId, Duration tailCheck, Duration probeInterval, Duration probeTimeout) {

        public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(1);
        public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(4);

        public Settings {
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
        public static Settings of(String prefix, String nodeId, Duration tailCheck) {
            return new Settings(prefix, nodeId, tailCheck, DEFAULT_PROBE_INTERVAL, DEFAULT_PROBE_TIMEOUT);
        }

        public Settings withProbe(Duration interval, Duration timeout) {
            return new Settings(prefix, nodeId, tailCheck, interval, timeout);
        }
    }

    private final RedisNode node;
    private final Settings settings;
    private final String where; // "redis HOST:PORT", how log lines and errors name the server
    /** How this run names itself on the wire: another process under the same id is not "itself". */
    private final String sender;
    private final RedisNames names;
    private final FeedSubscription subscription;
    private final ScheduledExecutorService loop;
    private final Probe probe = new Probe(System.nanoTime());
    private final AtomicBoolean recheckPending = new AtomicBoolean();
    private final FeedPublisher publisher;
    private volatile Runnable recheck = () -> {};
    private volatile boolean closed;

    /**
     * A feed on a Redis of its own, for a node without a presence board (tests of the feed alone): the
     * node's client shuts down when the feed closes.
     *
     * @throws IllegalArgumentException when the URL is malformed
     */
    public static RedisFeed connect(String redisUrl, Settings settings) {
        return RedisNode.open(redisUrl).feed(settings);
    }

    /**
     * Connects to Redis and subscribes this node's probe channel before returning. When Redis cannot be
     * reached the feed starts anyway, disconnected (publishes are dropped, receivers get this node's own
     * events), logs that once, and connects when Redis answers: the probe channel's confirmation then
     * subscribes every room and runs the hook, as after any reconnect.
     */
    RedisFeed(RedisNode node, Settings settings) {
        this.node = node;
        this.settings = settings;
        this.where = node.where();
        this.sender = settings.nodeId() + "~" + node.incarnation();
        this.names = new RedisNames(settings.prefix());
        this.publisher = new FeedPublisher(node, sender, names);
        this.subscription = new FeedSubscription(node, sender, names, probe, this::recheckSoon, this::execute);
        this.loop = Executors.newSingleThreadScheduledExecutor(RedisCalls.daemon("redis-feed"));
        try {
            publisher.connect();
            subscription.connectAndWait();
        } catch (RuntimeException e) {
            // a deploy during a Redis outage must not take the node out: it serves its own rooms meanwhile
            node.outage().unreachableAtStart(e);
        }
        long probeMs = settings.probeInterval().toMillis();
        loop.scheduleWithFixedDelay(this::probeTick, probeMs, probeMs, TimeUnit.MILLISECONDS);
        long tailMs = settings.tailCheck().toMillis();
        loop.scheduleWithFixedDelay(this::runRecheck, tailMs, tailMs, TimeUnit.MILLISECONDS);
        log.info("{}: feed {} as node {} (incarnation {}) with channel prefix '{}'", where,
                subscription.connecting() ? "waiting for redis" : "connected", settings.nodeId(),
                node.incarnation(), settings.prefix());
    }

    @Override
    public void publish(RoomEvent event) {
        subscription.deliver(event);
        if (!closed) {
            publisher.publish(event);
        }
    }

    /** Like {@link #publish}: local receivers at once, the other nodes over the room's channel. */
    @Override
    public void signal(String room, Signal signal) {
        subscription.signal(room, signal);
        if (!closed) {
            publisher.signal(room, signal);
        }
    }

    @Override
    public void subscribe(String room, Receiver receiver) {
        subscription.subscribe(room, receiver);
    }

    @Override
    public void unsubscribe(String room) {
        subscription.unsubscribe(room);
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
        return !closed
                && subscription.confirmed()
                && publisher.isOpen()
                && probe.aliveWithin(System.nanoTime(), settings.probeTimeout().toNanos());
    }

    /**
     * Why this node is not ready, for the readiness check: Redis unreachable (since when, and why), the
     * subscription not confirmed, or the node's presence board not joined yet; empty when ready.
     */
    @Override
    public String trouble() {
        if (!connected()) {
            String reason = node.outage().reason();
            return reason.isEmpty() ? where + ": subscription not confirmed yet" : reason;
        }
        RedisPresence presence = node.board();
        return presence == null ? "" : presence.trouble();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        subscription.close();
        loop.shutdownNow();
        log.info("{}: feed closed", where);
        node.partClosed();
    }

    // --- the probe

    private void probeTick() {
        try {
            long now = System.nanoTime();
            RedisPresence presence = node.board();
            node.outage().sample(connected() && (presence == null || presence.healthy()), now);
            if (subscription.connecting()) {
                connectLate();
                return;
            }
            if (probe.wedged(now, settings.probeTimeout().toNanos())) {
                replaceWedgedConnections(probe.silentNanos(now));
                return;
            }
            long number = probe.next();
            publisher.probe(subscription.probeChannel(), number).thenAccept(taken -> {
                if (taken) {
                    // Redis took it (or it vanished on the way): it must come back within the timeout
                    probe.left(number, now);
                }
            });
        } catch (RuntimeException e) {
            log.warn("{}: probe failed; trying again in {} ms", where, settings.probeInterval().toMillis(), e);
        }
    }

    /**
     * Connects what is not connected yet, for a feed that started while Redis was unreachable; on the
     * feed's thread, once per probe interval until it works. The probe channel's confirmation does the rest.
     */
    private void connectLate() {
        try {
            publisher.connect();
            subscription.connect();
            log.info("{}: connected; subscribing this node's rooms", where);
        } catch (RuntimeException e) {
            node.outage().cause(e);
        }
    }

    /**
     * The subscription looks open but nothing arrives (or the publishing connection stopped answering):
     * replace the connection(s) Lettuce cannot see are broken. Runs on the feed's thread; if Redis
     * cannot be reached now, the probe stays overdue and the next tick tries again.
     */
    private void replaceWedgedConnections(long silentNanos) {
        subscription.wedged();
        if (subscription.becomes("wedged")) {
            Meters.subscriptionLost();
            log.warn("{}: subscription silent for {} ms although Redis accepts publishes; replacing the connection",
                    where, TimeUnit.NANOSECONDS.toMillis(silentNanos));
        }
        try {
            publisher.replaceIfTimingOut();
            // probes sent so far went to the old connection: the new one is judged afresh
            subscription.replace();
        } catch (RuntimeException e) {
            node.outage().cause(e);
            if (subscription.becomes("unreachable")) {
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
}
