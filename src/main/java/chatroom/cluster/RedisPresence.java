package chatroom.cluster;

import chatroom.cluster.PresenceScripts.Script;
import chatroom.room.Author;
import chatroom.room.InvalidInputException;
import chatroom.room.PresenceBoard;
import chatroom.room.RoomName;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The presence board of a cluster node: who is in each room, across every node, kept in Redis. Each
 * (room, user) is the set of nodes the user is connected through; the user joins the room when that set
 * becomes non-empty and leaves when it becomes empty, and each such change is published on the room's
 * channel, from which every node's watcher (this node's too) hears it, in the order Redis ran it. Key
 * layout: {@link PresenceKeys}; the atomic, per-node idempotent updates: {@link PresenceScripts}.
 *
 * <p>State: this node's own record of what it asserted ({@link NodeRecord}), the truth it asserts again
 * whenever Redis may have lost it; a queue of changes not yet confirmed by Redis, run in order and
 * retried until Redis takes them (each is idempotent, so a retry of one that did run changes nothing);
 * one command connection and one pub/sub connection on the client it is given.
 *
 * <p>Liveness: every {@code heartbeatInterval} the node refreshes its heartbeat key, which expires after
 * {@code nodeTimeout}. A heartbeat that was missing means Redis lost this node's state (restart, wipe) or
 * declared it dead: the node then asserts all of its users again — quietly, without announcing them
 * again, unless it had been declared dead or a user's join was never announced. Every {@code
 * sweepInterval} each node tries to take the sweeper lock; the holder declares every node whose
 * heartbeat is gone dead and departs its users, so a crashed node's users leave within about {@code
 * nodeTimeout + sweepInterval}, and a user still connected through another node does not leave at all.
 * Nothing is ever departed because it is missing from Redis.
 *
 * <p>One id, one live process: at start the node claims its id ({@link NodeClaim}) and is refused if a
 * live node holds it. Each run writes under its own incarnation ({@code <id>~<incarnation>}, with its own
 * heartbeat), so what a duplicate wrote anyway (it started while Redis was away, or Redis lost the claim)
 * is swept when that process dies, and a restarted node's last run is swept like any dead node (its users
 * who came back through the new run stay, the others leave). A node that starts while Redis is
 * unreachable joins (connects, claims its id, subscribes, beats, sends what waited) when Redis answers;
 * if its id is then held by a live node it stops ({@link #whenNodeIdTaken}).
 *
 * <p>While Redis is unreachable, {@link #arrived}, {@link #departed} and {@link #renamed} only update the
 * record and the queue, and tell the room to read who is here again; {@link #here} answers with what
 * Redis last said for the room, less those who left through this node since, plus this node's users;
 * {@link #busiest} answers from its cache, refreshed every {@code lobbyRefresh} while Redis answers. The
 * notices ("joined", "left") of this node's changes come when Redis is back. When the people in a
 * room may have changed without a notice (this node subscribed to the room's channel again and may have
 * missed changes; a node put its users back quietly after Redis lost them), the room's watchers get an
 * empty {@link Change}: nothing to announce, but the people shown should be read again.
 *
 * <p>Threading: public methods never wait on Redis. Redis updates run on one thread, {@code
 * presence-sync}, in the order the changes were made; the heartbeat, the sweeper and the lobby cache
 * run on {@code presence-timers}; watchers are called on the pub/sub connection's I/O thread, one change
 * at a time. The hazard: a watcher that blocks stalls every room's presence on this node.
 */
public final class RedisPresence implements PresenceBoard {

    private static final Logger log = LoggerFactory.getLogger(RedisPresence.class);

    /** Changes waiting for Redis beyond this many are dropped for one full re-assertion instead. */
    private static final int MAX_QUEUED_CHANGES = 100_000;
    /** How long the sweeper remembers that it declared a node dead, so that a node back from the dead announces its users. */
    private static final Duration DEAD_REMEMBERED = Duration.ofDays(1);
    /** The lobby reads at least this many of the busiest rooms, more if a caller asks for more. */
    private static final int MIN_LOBBY_ROOMS = 32;
    private static final int MAX_LOBBY_ROOMS = 1_000;
    private static final String[] NO_KEYS = new String[0];

    /**
     * How a node takes part in the board.
     *
     * @param prefix what every key and channel starts with; nodes of one deployment share it, other
     *     deployments (and test runs) on the same Redis pick another
     * @param nodeId unique among the deployment's live nodes (claimed at start); a node restarted under
     *     it is a new run: the last run's users are departed once its heartbeat is gone, except those who
     *     came back through this run or another node
     * @param heartbeatInterval how often the node refreshes its heartbeat (and retries what Redis refused)
     * @param nodeTimeout how long a heartbeat lasts: a node silent this long is declared dead
     * @param sweepInterval how often some node looks for dead nodes
     * @param lobbyRefresh how old {@link #busiest} may be
     * @param commandTimeout how long one Redis command may take before it counts as failed (and is retried)
     */
    public record Settings(
            String prefix,
            String nodeId,
            Duration heartbeatInterval,
            Duration nodeTimeout,
            Duration sweepInterval,
            Duration lobbyRefresh,
            Duration commandTimeout,
            boolean claimsNodeId) {

        public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(2);
        public static final Duration DEFAULT_NODE_TIMEOUT = Duration.ofSeconds(10);
        public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(5);
        public static final Duration DEFAULT_LOBBY_REFRESH = Duration.ofSeconds(1);
        public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);

        /** Settings of a node that claims its id, as every node does outside a fault test. */
        public Settings(String prefix, String nodeId, Duration heartbeatInterval, Duration nodeTimeout,
                Duration sweepInterval, Duration lobbyRefresh, Duration commandTimeout) {
            this(prefix, nodeId, heartbeatInterval, nodeTimeout, sweepInterval, lobbyRefresh, commandTimeout, true);
        }

        public Settings {
            if (prefix == null || prefix.isEmpty()) {
                throw new IllegalArgumentException("the Redis key prefix is empty");
            }
            if (nodeId == null || nodeId.isEmpty()) {
                throw new IllegalArgumentException("the node id is empty");
            }
            for (Duration d : List.of(heartbeatInterval, nodeTimeout, sweepInterval, lobbyRefresh, commandTimeout)) {
                if (!d.isPositive()) {
                    throw new IllegalArgumentException("presence timings must all be above 0; got " + d.toMillis() + " ms");
                }
            }
            // a heartbeat sent just before the previous one expires, and slowed by a slow Redis, still lands
            if (nodeTimeout.compareTo(heartbeatInterval.multipliedBy(2).plus(commandTimeout)) < 0) {
                throw new IllegalArgumentException("node timeout " + nodeTimeout.toMillis()
                        + " ms must be at least twice the heartbeat interval " + heartbeatInterval.toMillis()
                        + " ms plus the command timeout " + commandTimeout.toMillis() + " ms");
            }
        }

        /** The defaults: heartbeat every 2 s, dead after 10 s, sweep every 5 s: a crashed node's users leave within about 15 s. */
        public static Settings of(String prefix, String nodeId) {
            return new Settings(prefix, nodeId, DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_NODE_TIMEOUT,
                    DEFAULT_SWEEP_INTERVAL, DEFAULT_LOBBY_REFRESH, DEFAULT_COMMAND_TIMEOUT);
        }

        public Settings withLiveness(Duration heartbeatInterval, Duration nodeTimeout, Duration sweepInterval) {
            return new Settings(prefix, nodeId, heartbeatInterval, nodeTimeout, sweepInterval, lobbyRefresh, commandTimeout, claimsNodeId);
        }

        public Settings withLobbyRefresh(Duration lobbyRefresh) {
            return new Settings(prefix, nodeId, heartbeatInterval, nodeTimeout, sweepInterval, lobbyRefresh, commandTimeout, claimsNodeId);
        }

        public Settings withCommandTimeout(Duration commandTimeout) {
            return new Settings(prefix, nodeId, heartbeatInterval, nodeTimeout, sweepInterval, lobbyRefresh, commandTimeout, claimsNodeId);
        }

        /**
         * For a fault test only: a node that writes presence without claiming its id, as one that started
         * while the id's heartbeat was absent would.
         */
        public Settings withoutIdClaim() {
            return new Settings(prefix, nodeId, heartbeatInterval, nodeTimeout, sweepInterval, lobbyRefresh, commandTimeout, false);
        }
    }

    /** A change made on this node, waiting to be run in Redis. */
    private sealed interface Op {
        long seq();

        String room();
    }

    private record Arriving(long seq, String room, Author user) implements Op {}

    private record Departing(long seq, String room, Author user) implements Op {}

    private record Renaming(long seq, String room, Author user, String oldName) implements Op {}

    private final Settings settings;
    private final String where; // "presence NODE", how log lines name this board
    private final PresenceKeys keys;
    private final String base;
    private final String node; // this run: escaped id, '~', incarnation, as the scripts want it
    private final String nodeName; // the same unescaped, as PresenceKeys wants it
    private final NodeClaim claim;
    private final RedisOutage outage;
    private final RedisClient client;
    private final RedisURI uri;
    private volatile StatefulRedisConnection<String, String> connection; // null until Redis first answers
    private volatile StatefulRedisPubSubConnection<String, String> pubsub; // likewise
    /** True once the id is claimed (or, in a fault test, would have been): only then does the node write. */
    private volatile boolean joined;
    private volatile String refused; // why the id was refused when Redis came back; null if it was not
    private volatile Consumer<String> whenTaken = message -> {};
    private final AtomicReference<String> otherHolder = new AtomicReference<>("");
    private final NodeRecord record = new NodeRecord();
    private final Map<String, Consumer<Change>> watchers = new ConcurrentHashMap<>();
    private final Object watching = new Object(); // orders watcher changes with their (UN)SUBSCRIBE
    /** Per watched room, who Redis last said was here: with this node's own changes, the answer while Redis is away. */
    private final Map<String, List<Author>> lastHere = new ConcurrentHashMap<>();
    /** Per watched room, the SUBSCRIBE sent last: this node's changes to a room wait for it (briefly). */
    private final Map<String, CompletableFuture<?>> subscriptions = new ConcurrentHashMap<>();
    /** Per room watched but not yet heard: what its members were shown meanwhile (see {@link Starting}). */
    private final Map<String, Starting> starting = new ConcurrentHashMap<>();

    private final ArrayDeque<Op> queue = new ArrayDeque<>(); // guarded by itself, as is opSeq
    private long opSeq;
    private final ExecutorService sync;
    private final ScheduledExecutorService timers;
    private final AtomicBoolean syncScheduled = new AtomicBoolean();
    private final AtomicBoolean reassertNeeded = new AtomicBoolean();
    private volatile String reassertReason = "";
    private final AtomicBoolean reassertLoudly = new AtomicBoolean();
    private final AtomicBoolean resubscribeNeeded = new AtomicBoolean();
    private final AtomicInteger lobbyRooms = new AtomicInteger(MIN_LOBBY_ROOMS);
    private final AtomicReference<String> redisState = new AtomicReference<>("up");
    private final AtomicReference<String> subscriptionState = new AtomicReference<>("up");
    private final long orphansDepartableAtNanos;
    private volatile List<Occupancy> busiestCache = List.of();
    private volatile ScheduledFuture<?> heartbeat;
    private volatile boolean closed;
    private volatile boolean heartbeatPaused; // tests: a node too slow to beat
    private final AtomicBoolean shutDown = new AtomicBoolean();

    /**
     * Connects to Redis with {@code client} (which the caller owns and may share, e.g. with the message
     * feed; this board never shuts it down), claims the node id and starts the heartbeat, the sweeper and
     * the lobby cache. Best with a client that rejects commands while disconnected; any client works,
     * since every command here has its own timeout. When Redis cannot be reached the board starts anyway
     * and joins when it answers; meanwhile it answers as while Redis is away.
     *
     * @throws NodeClaim.TakenException (an IllegalStateException) naming the id, its holder and what to do
     *     when a live node holds the id; waits up to {@code nodeTimeout} for a dead one's claim to run out
     */
    public static RedisPresence connect(RedisClient client, RedisURI uri, Settings settings) {
        return new RedisPresence(client, uri, settings, NodeClaim.newIncarnation(),
                new RedisOutage("redis " + uri.getHost() + ":" + uri.getPort()));
    }

    /** The board of a feed's node: the same incarnation, and one Redis state for both. */
    static RedisPresence connect(RedisClient client, RedisURI uri, Settings settings, String incarnation, RedisOutage outage) {
        return new RedisPresence(client, uri, settings, incarnation, outage);
    }

    private RedisPresence(RedisClient client, RedisURI uri, Settings settings, String incarnation, RedisOutage outage) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.where = "presence " + settings.nodeId();
        this.keys = new PresenceKeys(settings.prefix());
        this.base = keys.base();
        this.nodeName = settings.nodeId() + "~" + incarnation;
        this.node = PresenceKeys.escape(nodeName);
        this.claim = new NodeClaim(keys, settings.nodeId(), incarnation, uri.getHost() + ":" + uri.getPort());
        this.outage = outage;
        this.client = client;
        this.uri = uri;
        try {
            connectNow();
            if (settings.claimsNodeId()) {
                claimNow();
            }
            joined = true;
        } catch (NodeClaim.TakenException e) {
            closeConnections();
            throw e;
        } catch (Exception e) {
            restoreInterrupt(e);
            outage.cause(e);
            redisState.set("down"); // joins on a later heartbeat; changes wait meanwhile
        }
        this.sync = Executors.newSingleThreadExecutor(daemon("presence-sync"));
        this.timers = Executors.newScheduledThreadPool(2, daemon("presence-timers"));
        this.orphansDepartableAtNanos = System.nanoTime() + settings.nodeTimeout().toNanos();

        long heartbeatMs = settings.heartbeatInterval().toMillis();
        heartbeat = timers.scheduleWithFixedDelay(this::heartbeatTick, 0, heartbeatMs, TimeUnit.MILLISECONDS);
        long sweepMs = settings.sweepInterval().toMillis();
        timers.scheduleWithFixedDelay(this::sweepTick, sweepMs, sweepMs, TimeUnit.MILLISECONDS);
        long lobbyMs = settings.lobbyRefresh().toMillis();
        timers.scheduleWithFixedDelay(this::lobbyTick, 0, lobbyMs, TimeUnit.MILLISECONDS);
        // users this run's index lists but its record let go (a departure Redis never took) go once
        // changes have had a node timeout to settle
        timers.schedule(() -> {
            reassertFor("this node's changes have had time to settle");
            sync();
        }, settings.nodeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        log.info("{}: on redis {}:{} with key prefix '{}' as {}{}", where, uri.getHost(), uri.getPort(),
                settings.prefix(), nodeName, joined ? "" : ", joining when redis answers");
    }

    /** Opens what is not open yet; throws if Redis cannot be reached. */
    private void connectNow() {
        if (connection == null) {
            connection = client.connect(StringCodec.UTF8, uri);
        }
        if (pubsub == null) {
            StatefulRedisPubSubConnection<String, String> opened = client.connectPubSub(StringCodec.UTF8, uri);
            opened.addListener(new Listener());
            pubsub = opened;
        }
    }

    private void claimNow() throws Exception {
        long pollMs = Math.max(50, Math.min(500, settings.heartbeatInterval().toMillis() / 2));
        claim.claim(connection.async(), settings.nodeTimeout().toMillis(), pollMs, settings.commandTimeout().toMillis());
    }

    /**
     * What to do when, Redis having been unreachable at start, this node's id turns out to be held by a
     * live node once it answers (the node must stop: it would write presence under another's id). Called
     * once, on a timer thread, with the message; the board has closed itself by then.
     */
    public void whenNodeIdTaken(Consumer<String> stop) {
        whenTaken = Objects.requireNonNull(stop, "stop");
        String message = refused;
        if (message != null) {
            stop.accept(message);
        }
    }

    /** On the timers: connects and claims the id, for a board that started while Redis was unreachable. */
    private boolean join() {
        try {
            connectNow();
            if (settings.claimsNodeId()) {
                claimNow();
            }
        } catch (NodeClaim.TakenException e) {
            refused = e.getMessage();
            log.error("{}: {}", where, e.getMessage());
            close();
            whenTaken.accept(e.getMessage());
            return false;
        } catch (Exception e) {
            restoreInterrupt(e);
            down(e);
            return false;
        }
        joined = true;
        resubscribeNeeded.set(true);
        log.info("{}: joined: redis answers and node id '{}' is claimed", where, settings.nodeId());
        return true;
    }

    /** Why this board keeps its node unready, for the readiness check; empty if nothing. */
    String trouble() {
        if (refused != null) {
            return refused;
        }
        if (!joined) {
            return where + ": node id '" + settings.nodeId() + "' not claimed yet";
        }
        return redisAway() ? where + ": redis does not answer" : "";
    }

    // ---- changes made on this node

    @Override
    public void arrived(String room, Author user) {
        synchronized (queue) {
            if (closed) {
                return;
            }
            record.arrived(room, user, ++opSeq);
            enqueue(new Arriving(opSeq, room, user));
        }
        refreshWhileAway(room);
        sync();
    }

    @Override
    public void departed(String room, Author user) {
        synchronized (queue) {
            if (closed) {
                return;
            }
            Author held = record.departed(room, user.id());
            enqueue(new Departing(++opSeq, room, held == null ? user : held));
        }
        refreshWhileAway(room);
        sync();
    }

    @Override
    public void renamed(String room, Author user, String oldName) {
        synchronized (queue) {
            if (closed || !record.renamed(room, user)) {
                return;
            }
            enqueue(new Renaming(++opSeq, room, user, oldName));
        }
        refreshWhileAway(room);
        sync();
    }

    // guarded by queue
    private void enqueue(Op op) {
        if (queue.size() >= MAX_QUEUED_CHANGES) {
            // Redis has been away through a lot of comings and goings: assert the record once instead
            log.warn("{}: {} changes wait for redis; dropping them for one full re-assertion when it is back",
                    where, queue.size());
            queue.removeIf(waiting -> !(waiting instanceof Renaming));
            reassertFor("too many changes waited for redis");
        }
        queue.add(op);
    }

    // ---- watching

    @Override
    public void watch(String room, Consumer<Change> watcher) {
        watch(room, watcher, () -> {});
    }

    /** {@code heard} runs once the room's first SUBSCRIBE is confirmed, after the joins it missed are told. */
    @Override
    public void watch(String room, Consumer<Change> watcher, Runnable heard) {
        Objects.requireNonNull(watcher, "watcher");
        synchronized (watching) {
            if (watchers.put(room, watcher) == null && !closed) {
                starting.put(room, new Starting(heard));
                subscriptions.put(room, subscribe(List.of(keys.channel(room))));
            }
        }
    }

    @Override
    public void unwatch(String room) {
        synchronized (watching) {
            subscriptions.remove(room);
            starting.remove(room);
            lastHere.remove(room);
            if (watchers.remove(room) != null && !closed) {
                try {
                    pubsub.async().unsubscribe(keys.channel(room));
                } catch (RuntimeException e) {
                    // the channel goes when the connection does; a stray message finds no watcher
                }
            }
        }
    }

    /** Sends SUBSCRIBE; the future completes when Redis confirms it (or fails, to be retried). Guarded by watching. */
    private CompletableFuture<?> subscribe(List<String> channels) {
        try {
            CompletableFuture<Void> confirmed = pubsub.async().subscribe(channels.toArray(String[]::new)).toCompletableFuture();
            confirmed.whenComplete((ok, e) -> {
                if (e != null) {
                    subscriptionFailed(e);
                }
            });
            return confirmed;
        } catch (RuntimeException e) {
            subscriptionFailed(e);
            return CompletableFuture.failedFuture(e);
        }
    }

    private void subscriptionFailed(Throwable e) {
        resubscribeNeeded.set(true);
        if (changed(subscriptionState, "down")) {
            log.info("{}: cannot subscribe to room channels; retrying with the heartbeat ({})", where, rootMessage(e));
        }
    }

    /** Lettuce's pub/sub callbacks: changes to watchers, and a refresh after every (re)subscription. */
    private final class Listener extends RedisPubSubAdapter<String, String> {

        @Override
        public void message(String channel, String payload) {
            String room = keys.roomOfChannel(channel);
            Consumer<Change> watcher = room == null ? null : watchers.get(room);
            if (watcher == null) {
                return;
            }
            Change change;
            try {
                change = PresenceCodec.readChange(payload);
            } catch (IllegalArgumentException e) {
                log.warn("{}: {}: undecodable change dropped ({})", where, room, e.getMessage());
                return;
            }
            Starting start = starting.get(room);
            if (start != null) {
                start.heard(change);
            }
            for (Rename rename : change.renamed()) {
                // renamed on another node: assert the new name from here too, should Redis forget it
                record.renamed(room, rename.user());
            }
            tell(room, watcher, change);
        }

        @Override
        public void subscribed(String channel, long count) {
            String room = keys.roomOfChannel(channel);
            Consumer<Change> watcher = room == null ? null : watchers.get(room);
            Starting start = room == null ? null : starting.get(room);
            if (watcher != null && start != null && start.confirm()) {
                // the room's first subscription: who joined before it was heard is announced from the difference
                // PING on the channel's connection comes back after every message Redis sent before it
                // ran the read: what the read lists and the channel announced has been heard by then
                here(room).thenCompose(here -> pubsubBarrier().handle((ok, e) -> here)).whenComplete((here, error) -> {
                    starting.remove(room, start);
                    List<Author> joined = error == null ? start.joinedUnheard(here, record.here(room)) : List.of();
                    tell(room, watcher, new Change(joined, List.of(), List.of()));
                    try {
                        start.whenHeard.run();
                    } catch (RuntimeException e) {
                        log.error("{}: {}: watcher failed", where, room, e);
                    }
                });
            } else if (watcher != null) {
                // changes published while the channel was not subscribed are lost: read who is here again
                tell(room, watcher, new Change(List.of(), List.of(), List.of()));
            }
            if (changed(subscriptionState, "up")) {
                log.info("{}: room channels subscribed again", where);
            }
        }
    }

    private CompletableFuture<?> pubsubBarrier() {
        try {
            return pubsub.async().ping().toCompletableFuture().orTimeout(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void tell(String room, Consumer<Change> watcher, Change change) {
        try {
            watcher.accept(change);
        } catch (RuntimeException e) {
            log.error("{}: {}: watcher failed", where, room, e);
        }
    }

    // ---- reading

    /**
     * Everyone in the room per Redis, in arrival order, plus any of this node's users Redis does not
     * list yet. When Redis does not answer within the command timeout: who Redis last said was here
     * (for a watched room), less those who left through this node since, plus this node's users.
     */
    @Override
    public CompletableFuture<List<Author>> here(String room) {
        List<Author> mine = record.here(room);
        if (closed) {
            return CompletableFuture.completedFuture(mine);
        }
        Starting start = starting.get(room);
        CompletableFuture<List<Author>> read = read(room, mine);
        if (start != null && start.reading()) {
            // shown before the channel is heard: the first subscription's difference is taken against it
            return read.thenApply(here -> {
                start.shown(here);
                return here;
            });
        }
        return read;
    }

    private CompletableFuture<List<Author>> read(String room, List<Author> mine) {
        return this.<List<Object>>eval(PresenceScripts.HERE, ScriptOutputType.MULTI, base, PresenceKeys.escape(room))
                .orTimeout(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((reply, error) -> {
                    if (error != null) {
                        return hereWhileAway(room, mine);
                    }
                    List<Author> here = new ArrayList<>(reply.size() + mine.size());
                    Set<String> ids = new HashSet<>();
                    for (Object json : reply) {
                        try {
                            Author author = PresenceCodec.readAuthor((String) json);
                            if (ids.add(author.id())) {
                                here.add(author);
                            }
                        } catch (IllegalArgumentException | ClassCastException e) {
                            log.warn("{}: {}: undecodable user skipped ({})", where, room, e.getMessage());
                        }
                    }
                    List<Author> fromRedis = List.copyOf(here);
                    if (watchers.containsKey(room)) {
                        lastHere.put(room, fromRedis);
                    }
                    for (Author author : mine) {
                        if (ids.add(author.id())) {
                            here.add(author);
                        }
                    }
                    return List.copyOf(here);
                });
    }

    /**
     * A room watched but whose channel is not heard yet (its first SUBSCRIBE unconfirmed): users who join
     * meanwhile are announced on a channel this node does not hear. So the lists read meanwhile are kept
     * (each member was shown one), and once the subscription is confirmed who is here is read again: a
     * user in it whom not every list showed, and whom the channel has not announced or departed since,
     * joined unheard and is announced then. Nobody is departed for being absent. Reads on the one command
     * connection are answered in the order sent, so every list read before the confirmation is kept
     * before the read that takes the difference.
     */
    private static final class Starting {

        /** The watcher's word that the room is heard from now on; run once, after the difference is told. */
        final Runnable whenHeard;
        private boolean confirmed; // guarded by this, as are the rest
        private Set<String> shownToAll; // ids in every list read before the confirmation; null: none read
        private final Set<String> heard = new HashSet<>();

        Starting(Runnable whenHeard) {
            this.whenHeard = whenHeard;
        }

        /** True while lists read now count as shown before the channel was heard. */
        synchronized boolean reading() {
            return !confirmed;
        }

        synchronized void shown(List<Author> here) {
            Set<String> ids = new HashSet<>();
            here.forEach(user -> ids.add(user.id()));
            if (shownToAll == null) {
                shownToAll = ids;
            } else {
                shownToAll.retainAll(ids);
            }
        }

        synchronized void heard(Change change) {
            change.joined().forEach(user -> heard.add(user.id()));
            change.left().forEach(user -> heard.add(user.id()));
        }

        /** Marks the subscription confirmed; true the first time only. */
        synchronized boolean confirm() {
            boolean first = !confirmed;
            confirmed = true;
            return first;
        }

        /** {@code mine}: this node's users, whose joins wait for the subscription and so are heard. */
        synchronized List<Author> joinedUnheard(List<Author> here, List<Author> mine) {
            if (shownToAll == null) {
                return List.of(); // no list was read before the channel was heard: none can lack anyone
            }
            Set<String> mineIds = new HashSet<>();
            mine.forEach(user -> mineIds.add(user.id()));
            List<Author> joined = new ArrayList<>();
            for (Author user : here) {
                if (!shownToAll.contains(user.id()) && !heard.contains(user.id()) && !mineIds.contains(user.id())) {
                    joined.add(user);
                }
            }
            return joined;
        }
    }

    private List<Author> hereWhileAway(String room, List<Author> mine) {
        Set<String> gone = new HashSet<>();
        synchronized (queue) {
            for (Op op : queue) {
                if (op instanceof Departing d && d.room().equals(room)) {
                    gone.add(d.user().id());
                }
            }
        }
        Set<String> ids = new HashSet<>();
        List<Author> here = new ArrayList<>();
        Set<String> mineIds = new HashSet<>();
        mine.forEach(author -> mineIds.add(author.id()));
        for (Author author : lastHere.getOrDefault(room, List.of())) {
            // one who left through this node may still be here through another: unknown until Redis is back
            if ((!gone.contains(author.id()) || mineIds.contains(author.id())) && ids.add(author.id())) {
                here.add(author);
            }
        }
        for (Author author : mine) {
            if (ids.add(author.id())) {
                here.add(author);
            }
        }
        return List.copyOf(here);
    }

    /**
     * While Redis is away this node's changes are announced only when it is back, so its room is told to
     * read who is here now (from {@link #hereWhileAway}) and at least shows this node's users right.
     */
    private void refreshWhileAway(String room) {
        if (redisAway()) {
            Consumer<Change> watcher = watchers.get(room);
            if (watcher != null) {
                try {
                    timers.execute(() -> tell(room, watcher, new Change(List.of(), List.of(), List.of())));
                } catch (RuntimeException e) {
                    // closing
                }
            }
        }
    }

    /** True while Redis answers this board and its room channels are subscribed: for the metrics. */
    public boolean healthy() {
        return joined && !redisAway() && "up".equals(subscriptionState.get());
    }

    private boolean redisAway() {
        return "down".equals(redisState.get());
    }

    /** From a cache refreshed every {@code lobbyRefresh}; never waits on Redis. */
    @Override
    public List<Occupancy> busiest(int limit) {
        lobbyRooms.accumulateAndGet(Math.min(limit, MAX_LOBBY_ROOMS), Math::max);
        List<Occupancy> busiest = busiestCache;
        return busiest.size() <= limit ? busiest : List.copyOf(busiest.subList(0, Math.max(0, limit)));
    }

    // ---- leaving

    /**
     * For a node that goes away for good: departs every user this node holds (those not connected
     * through another node leave, one change each), then removes its heartbeat, so the sweeper has
     * nothing left to do. Stops the heartbeat at once; further changes on this node are ignored. Call
     * {@link #close} afterwards. Completes exceptionally if Redis does not take it; the sweeper then
     * departs the users after {@code nodeTimeout}.
     */
    public CompletableFuture<Void> leaveAll() {
        List<NodeRecord.Held> held;
        synchronized (queue) {
            closed = true;
            held = record.clear();
            for (NodeRecord.Held h : held) {
                queue.add(new Departing(++opSeq, h.room(), h.author()));
            }
        }
        ScheduledFuture<?> beating = heartbeat;
        if (beating != null) {
            beating.cancel(false);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            sync.execute(() -> {
                try {
                    runQueue();
                    RedisAsyncCommands<String, String> redis = connection.async();
                    await(redis.del(keys.alive(nodeName), keys.nodeIndex(nodeName)));
                    await(redis.srem(keys.nodes(), node));
                    await(redis.eval(NodeClaim.RELEASE, ScriptOutputType.INTEGER, new String[] {claim.key}, claim.holder));
                    log.info("{}: left every room ({} users)", where, held.size());
                    done.complete(null);
                } catch (Exception e) {
                    restoreInterrupt(e);
                    log.warn("{}: could not leave every room; the sweeper will ({})", where, rootMessage(e));
                    done.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e); // already closed
        }
        return done;
    }

    /**
     * Stops the heartbeat, the sweeper, the lobby cache and the connections, frees the node id (so that
     * the node restarted under it need not wait), and departs nothing: this node's users stay in every
     * room until the sweeper declares this run dead after {@code nodeTimeout}, and then leave unless they
     * came back through another node or the restarted one. Changes not yet in Redis are dropped. The
     * client is the caller's to shut down.
     */
    @Override
    public void close() {
        if (!shutDown.compareAndSet(false, true)) {
            return;
        }
        int waiting;
        synchronized (queue) {
            closed = true;
            waiting = queue.size();
            queue.clear();
        }
        timers.shutdownNow();
        sync.shutdownNow();
        watchers.clear();
        releaseClaim();
        closeConnections();
        log.info("{}: closed; {} users kept for the sweeper or this node's return, {} changes not sent",
                where, record.size(), waiting);
    }

    /** Frees the id at once on a clean stop, so that the node restarted under it need not wait for it to run out. */
    private void releaseClaim() {
        StatefulRedisConnection<String, String> open = connection;
        if (!joined || open == null || !settings.claimsNodeId()) {
            return;
        }
        try {
            await(open.async().eval(NodeClaim.RELEASE, ScriptOutputType.INTEGER, new String[] {claim.key}, claim.holder));
        } catch (Exception e) {
            restoreInterrupt(e);
            log.info("{}: could not release node id '{}'; it runs out within {} ms ({})",
                    where, settings.nodeId(), settings.nodeTimeout().toMillis(), rootMessage(e));
        }
    }

    private void closeConnections() {
        if (pubsub != null) {
            pubsub.closeAsync();
        }
        if (connection != null) {
            connection.closeAsync();
        }
    }

    // ---- presence-sync: this node's changes into Redis, in order

    /** Runs the queue (and a re-assertion if one is due) on the sync thread, soon. */
    private void sync() {
        if (closed || !joined || !syncScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            sync.execute(() -> {
                syncScheduled.set(false);
                try {
                    boolean reasserted = reassertNeeded.getAndSet(false);
                    if (reasserted) {
                        reassert();
                    }
                    if (runQueue() > 0 || reasserted) {
                        up();
                    }
                } catch (Exception e) {
                    restoreInterrupt(e);
                    boolean wasAway = redisAway();
                    down(e);
                    if (!wasAway && redisAway()) {
                        Set<String> rooms = new HashSet<>();
                        synchronized (queue) {
                            queue.forEach(op -> rooms.add(op.room()));
                        }
                        rooms.forEach(this::refreshWhileAway);
                    }
                }
            });
        } catch (RuntimeException e) {
            syncScheduled.set(false); // closing
        }
    }

    /**
     * Runs queued changes in order; stops at the first one Redis does not take, which is retried later.
     * Returns how many ran.
     */
    private int runQueue() throws Exception {
        for (int ran = 0; ; ran++) {
            Op op;
            synchronized (queue) {
                op = queue.peek();
            }
            if (op == null) {
                return ran;
            }
            run(op);
            synchronized (queue) {
                if (queue.peek() == op) {
                    queue.poll();
                }
            }
        }
    }

    private void run(Op op) throws Exception {
        awaitSubscription(op.room());
        String room = PresenceKeys.escape(op.room());
        String listed = listed(op.room());
        switch (op) {
            case Arriving a -> {
                await(eval(PresenceScripts.ARRIVE, ScriptOutputType.INTEGER,
                        base, room, PresenceKeys.escape(a.user().id()), node, listed, PresenceCodec.author(a.user()), "1",
                        heartbeatTtl()));
                record.announced(a.room(), a.user().id(), a.seq());
            }
            case Departing d -> await(eval(PresenceScripts.DEPART, ScriptOutputType.INTEGER,
                    base, room, PresenceKeys.escape(d.user().id()), node, listed, PresenceCodec.author(d.user())));
            case Renaming r -> await(eval(PresenceScripts.RENAME, ScriptOutputType.INTEGER,
                    base, room, PresenceKeys.escape(r.user().id()), PresenceCodec.author(r.user()),
                    PresenceCodec.renamed(r.user(), r.oldName())));
        }
    }

    /**
     * Waits, up to the command timeout, until this node hears the room's channel: a room that has just
     * started watching would otherwise miss the announcement of its own first user. A subscription that
     * fails is retried with the heartbeat; the change goes ahead anyway.
     */
    private void awaitSubscription(String room) throws InterruptedException {
        CompletableFuture<?> confirmed = subscriptions.get(room);
        if (confirmed == null || confirmed.isDone()) {
            return;
        }
        try {
            confirmed.get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // announced without this node hearing it; the room reads who is here once subscribed
        }
    }

    /**
     * Asserts every user in the record again, after Redis lost this node's state or declared it dead.
     * A user whose join was announced before is asserted quietly (every node's rooms still show them;
     * they are only told to read who is here again), unless this node had been declared dead (everyone
     * was told they left). Users Redis still lists for this node but the record no longer holds are
     * departed — the node saying so itself, not an inference from absence — once this run has been up
     * for {@code nodeTimeout}.
     * Queued changes the assertion covers are dropped, so an old departure cannot undo it.
     */
    private void reassert() throws Exception {
        boolean loudly = reassertLoudly.getAndSet(false);
        try {
            long upTo;
            List<NodeRecord.Held> held;
            synchronized (queue) {
                upTo = opSeq;
                held = record.all();
            }
            int announced = 0;
            for (NodeRecord.Held h : held) {
                String announce = loudly || !h.announced() ? "1" : "r";
                long joined = await(eval(PresenceScripts.ARRIVE, ScriptOutputType.INTEGER,
                        base, PresenceKeys.escape(h.room()), PresenceKeys.escape(h.author().id()), node,
                        listed(h.room()), PresenceCodec.author(h.author()), announce, heartbeatTtl()));
                record.announced(h.room(), h.author().id(), h.since());
                announced += joined == 1 && announce.equals("1") ? 1 : 0;
            }
            boolean orphansDeparted = System.nanoTime() - orphansDepartableAtNanos >= 0;
            int departed = 0;
            if (orphansDeparted) {
                for (String field : await(connection.async().hkeys(keys.nodeIndex(nodeName)))) {
                    int colon = field.indexOf(':');
                    String room = PresenceKeys.unescape(field.substring(0, colon));
                    String userId = PresenceKeys.unescape(field.substring(colon + 1));
                    if (!record.holds(room, userId)) {
                        await(eval(PresenceScripts.DEPART, ScriptOutputType.INTEGER, base, field.substring(0, colon),
                                field.substring(colon + 1), node, listed(room), ""));
                        departed++;
                    }
                }
            }
            synchronized (queue) {
                queue.removeIf(op -> op.seq() <= upTo
                        && (op instanceof Arriving
                                || (op instanceof Departing d && (orphansDeparted || record.holds(d.room(), d.user().id())))));
            }
            if (!held.isEmpty() || departed > 0) {
                log.info("{}: asserted {} users again ({} announced), departed {} no longer here: {}",
                        where, held.size(), announced, departed, reassertReason);
            }
        } catch (Exception e) {
            reassertNeeded.set(true);
            if (loudly) {
                reassertLoudly.set(true);
            }
            throw e;
        }
    }

    // ---- presence-timers: heartbeat, sweeper, lobby

    private void reassertFor(String reason) {
        reassertReason = reason;
        reassertNeeded.set(true);
    }

    /** For tests: stops (or restarts) this node's heartbeat and nothing else, as a long pause would. */
    void pauseHeartbeat(boolean paused) {
        heartbeatPaused = paused;
    }

    private void heartbeatTick() {
        if (heartbeatPaused || closed) {
            return;
        }
        if (!joined && !join()) {
            return;
        }
        try {
            List<Object> reply = await(eval(PresenceScripts.HEARTBEAT, ScriptOutputType.MULTI,
                    base, node, heartbeatTtl(), claim.key, claim.holder));
            boolean hadHeartbeat = ((Long) reply.get(0)) == 1;
            boolean wasDead = ((Long) reply.get(1)) == 1;
            String other = (String) reply.get(2);
            if (!other.equals(otherHolder.getAndSet(other)) && !other.isEmpty()) {
                // only after Redis lost the claim, or in a fault test: each run keeps to its own users
                log.error("{}: node id '{}' is also held by {}: two processes run under one id; stop one of them",
                        where, settings.nodeId(), other);
            }
            if (wasDead) {
                log.warn("{}: this node had been declared dead; announcing its users again", where);
                reassertLoudly.set(true);
            }
            if (!hadHeartbeat) {
                reassertFor(wasDead ? "it had been declared dead" : "redis had lost its heartbeat");
            }
            up();
            if (resubscribeNeeded.getAndSet(false)) {
                synchronized (watching) {
                    if (!watchers.isEmpty()) {
                        CompletableFuture<?> confirmed = subscribe(watchers.keySet().stream().map(keys::channel).toList());
                        watchers.keySet().forEach(room -> subscriptions.put(room, confirmed));
                    }
                }
            }
            sync();
        } catch (Exception e) {
            restoreInterrupt(e);
            down(e);
        }
    }

    private void sweepTick() {
        if (!joined) {
            return;
        }
        try {
            String locked = await(connection.async().set(keys.sweeperLock(), settings.nodeId(),
                    SetArgs.Builder.nx().px(settings.sweepInterval().toMillis())));
            if (!"OK".equals(locked)) {
                return; // another node sweeps this round
            }
            List<Object> dead = await(eval(PresenceScripts.SWEEP, ScriptOutputType.MULTI,
                    base, Long.toString(DEAD_REMEMBERED.toSeconds())));
            for (Object node : dead) {
                log.warn("{}: node {} declared dead: no heartbeat for {} ms; its users departed",
                        where, PresenceKeys.unescape((String) node), settings.nodeTimeout().toMillis());
            }
        } catch (Exception e) {
            restoreInterrupt(e);
            down(e);
        }
    }

    private void lobbyTick() {
        if (!joined) {
            return;
        }
        try {
            List<ScoredValue<String>> top = await(connection.async()
                    .zrevrangeWithScores(keys.busiest(), 0, lobbyRooms.get() * 2L - 1));
            List<Occupancy> busiest = new ArrayList<>(top.size());
            for (ScoredValue<String> room : top) {
                int people = (int) room.getScore();
                RoomName name = roomName(PresenceKeys.unescape(room.getValue()));
                if (people > 0 && name != null && !name.isPrivate()) {
                    busiest.add(new Occupancy(name, people));
                }
            }
            busiest.sort(Comparator.comparingInt(Occupancy::people).reversed().thenComparing(o -> o.name().value()));
            busiestCache = List.copyOf(busiest);
        } catch (Exception e) {
            restoreInterrupt(e);
            down(e);
        }
    }

    // ---- Redis

    /** EVALSHA, and EVAL when Redis does not know the script (it restarted since it last ran it). */
    private <T> CompletableFuture<T> eval(Script script, ScriptOutputType type, String... args) {
        StatefulRedisConnection<String, String> open = connection;
        if (open == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected to redis yet"));
        }
        RedisAsyncCommands<String, String> redis = open.async();
        try {
            CompletableFuture<T> first = redis.<T>evalsha(script.sha(), type, NO_KEYS, args).toCompletableFuture();
            return first.exceptionallyCompose(e -> cause(e) instanceof RedisNoScriptException
                    ? redis.<T>eval(script.source(), type, NO_KEYS, args).toCompletableFuture()
                    : CompletableFuture.failedFuture(e));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private <T> T await(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw cause(e) instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new TimeoutException("no answer within " + settings.commandTimeout().toMillis() + " ms");
        }
    }

    private void up() {
        if (changed(redisState, "up")) {
            log.info("{}: redis answers again", where);
        }
    }

    /** INFO: the outage itself is told once for the whole node, by its {@link RedisOutage}. */
    private void down(Exception e) {
        if (e instanceof InterruptedException || closed) {
            return;
        }
        outage.symptom(e);
        if (changed(redisState, "down")) {
            log.info("{}: redis does not answer; changes wait and are retried every {} ms ({})",
                    where, settings.heartbeatInterval().toMillis(), rootMessage(e));
        }
    }

    // ---- small things

    /** How long this node's heartbeat lasts in Redis, in ms, as the scripts want it. */
    private String heartbeatTtl() {
        return Long.toString(settings.nodeTimeout().toMillis());
    }

    /** "1" when the room is public, so counted in the lobby; "0" for private rooms and names that are not rooms. */
    private static String listed(String room) {
        RoomName name = roomName(room);
        return name != null && !name.isPrivate() ? "1" : "0";
    }

    private static RoomName roomName(String room) {
        try {
            return new RoomName(room);
        } catch (InvalidInputException e) {
            return null;
        }
    }

    private static boolean changed(AtomicReference<String> state, String now) {
        return !now.equals(state.getAndSet(now));
    }

    private static Throwable cause(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    private static void restoreInterrupt(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, count.getAndIncrement() == 0 ? name : name + "-" + count.get());
            t.setDaemon(true);
            return t;
        };
    }
}
