package chatroom.cluster;

import static chatroom.cluster.RedisCalls.restoreInterrupt;

import chatroom.room.Author;
import chatroom.room.PresenceBoard;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The presence board of a cluster node: who is in each room, across every node, kept in Redis. Each
 * (room, user) is the set of nodes the user is connected through; the user joins the room when that set
 * becomes non-empty and leaves when it becomes empty, and each such change is published on the room's
 * presence channel, from which every node's watcher (this node's too) hears it, in the order Redis ran
 * it. Key layout: {@link PresenceKeys}; the atomic, per-node idempotent updates: {@link PresenceScripts}.
 *
 * <p>This class is the board's face; its jobs are its parts: this node's changes on their way into
 * Redis ({@link PresenceSync}, the {@code presence-sync} thread), watching rooms and reading who is
 * here ({@link PresenceWatch}), the node's claim, heartbeat and the sweeper of dead nodes
 * ({@link NodeLiveness}), the lobby's busiest rooms ({@link LobbyCache}), and the connections they
 * share ({@link PresenceConnections}).
 *
 * <p>Liveness: a crashed node's users leave within about {@code nodeTimeout + sweepInterval}, and a
 * user still connected through another node does not leave at all. Nothing is ever departed because
 * it is missing from Redis. One id, one live process: at start the node claims its id ({@link
 * NodeClaim}) and is refused if a live node holds it. Each run writes under its own incarnation ({@code
 * <id>~<incarnation>}, with its own heartbeat), so what a duplicate wrote anyway (it started while
 * Redis was away, or Redis lost the claim) is swept when that process dies, and a restarted node's
 * last run is swept like any dead node (its users who came back through the new run stay, the others
 * leave). A node that starts while Redis is unreachable joins (connects, claims its id, subscribes,
 * beats, sends what waited) when Redis answers; if its id is then held by a live node it stops
 * ({@link #whenNodeIdTaken}).
 *
 * <p>While Redis is unreachable, {@link #arrived}, {@link #departed} and {@link #renamed} only update the
 * record and the queue, and tell the room to read who is here again; {@link #here} answers with what
 * Redis last said for the room, less those who left through this node since, plus this node's users;
 * {@link #busiest} answers from its cache. The notices ("joined", "left") of this node's changes come
 * when Redis is back.
 *
 * <p>Threading: public methods never wait on Redis. Redis updates run on {@code presence-sync}, in the
 * order the changes were made; the heartbeat, the sweeper and the lobby cache run on {@code
 * presence-timers}; watchers are called on the pub/sub connection's I/O thread, one change at a time.
 * The hazard: a watcher that blocks stalls every room's presence on this node.
 */
public final class RedisPresence implements PresenceBoard {

    private static final Logger log = LoggerFactory.getLogger(RedisPresence.class);

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


    private final PresenceConnections redis;
    private final NodeRecord record = new NodeRecord();
    private final ScheduledExecutorService timers;
    private final PresenceWatch watch;
    private final PresenceSync sync;
    private final NodeLiveness liveness;
    private final LobbyCache lobby;
    private final Runnable whenClosed;
    private final AtomicBoolean shutDown = new AtomicBoolean();

    /**
     * Connects to Redis with {@code client} (which the caller owns and may share; this board never shuts
     * it down), claims the node id and starts the heartbeat, the sweeper and the lobby cache. Best with a
     * client that rejects commands while disconnected; any client works, since every command here has
     * its own timeout. When Redis cannot be reached the board starts anyway and joins when it answers;
     * meanwhile it answers as while Redis is away. A node's board is made by its {@link RedisNode}.
     *
     * @throws NodeClaim.TakenException (an IllegalStateException) naming the id, its holder and what to do
     *     when a live node holds the id; waits up to {@code nodeTimeout} for a dead one's claim to run out
     */
    public static RedisPresence connect(RedisClient client, RedisURI uri, Settings settings) {
        return new RedisPresence(client, uri, settings, NodeClaim.newIncarnation(),
                new RedisOutage("redis " + uri.getHost() + ":" + uri.getPort()), () -> {});
    }

    /** The board of a node: its incarnation, its one Redis state; {@code whenClosed} runs once, after {@link #close}. */
    RedisPresence(RedisClient client, RedisURI uri, Settings settings, String incarnation, RedisOutage outage, Runnable whenClosed) {
        this.redis = new PresenceConnections(client, uri, Objects.requireNonNull(settings, "settings"), incarnation, outage);
        this.whenClosed = whenClosed;
        this.timers = Executors.newScheduledThreadPool(2, RedisCalls.daemon("presence-timers"));
        this.watch = new PresenceWatch(redis, record, timers, this::leavingThroughHere);
        this.sync = new PresenceSync(redis, record, watch);
        this.liveness = new NodeLiveness(redis, incarnation, watch, sync, this::close);
        this.lobby = new LobbyCache(redis);
        try {
            liveness.joinNow();
        } catch (NodeClaim.TakenException e) {
            redis.closeConnections();
            timers.shutdownNow();
            sync.close();
            throw e;
        } catch (Exception e) {
            restoreInterrupt(e);
            redis.unreachableAtStart(e); // joins on a later heartbeat; changes wait meanwhile
        }
        liveness.start(timers);
        lobby.start(timers);
        // users this run's index lists but its record let go (a departure Redis never took) go once
        // changes have had a node timeout to settle
        timers.schedule(() -> {
            sync.reassertFor("this node's changes have had time to settle");
            sync.sync();
        }, settings.nodeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        log.info("{}: on redis {} with key prefix '{}' as {}{}", redis.where, redis.address(),
                settings.prefix(), redis.nodeName, redis.writing() ? "" : ", joining when redis answers");
    }

    private Set<String> leavingThroughHere(String room) {
        return sync.leaving(room);
    }

    /**
     * What to do when, Redis having been unreachable at start, this node's id turns out to be held by a
     * live node once it answers (the node must stop: it would write presence under another's id). Called
     * once, on a timer thread, with the message; the board has closed itself by then.
     */
    public void whenNodeIdTaken(Consumer<String> stop) {
        liveness.whenNodeIdTaken(stop);
    }

    /** Why this board keeps its node unready, for the readiness check; empty if nothing. */
    String trouble() {
        return liveness.trouble();
    }

    /** True while Redis answers this board and its room channels are subscribed: for the metrics. */
    public boolean healthy() {
        return redis.writing() && !redis.away() && watch.subscribed();
    }

    // ---- changes made on this node

    @Override
    public void arrived(String room, Author user) {
        if (sync.arrived(room, user)) {
            changed(room);
        }
    }

    @Override
    public void departed(String room, Author user) {
        if (sync.departed(room, user)) {
            changed(room);
        }
    }

    @Override
    public void renamed(String room, Author user, String oldName) {
        if (sync.renamed(room, user, oldName)) {
            changed(room);
        }
    }

    private void changed(String room) {
        watch.refreshWhileAway(room);
        sync.sync();
    }

    // ---- watching and reading

    @Override
    public void watch(String room, Consumer<Change> watcher) {
        watch(room, watcher, () -> {});
    }

    /** {@code heard} runs once the room's first SUBSCRIBE is confirmed, after the joins it missed are told. */
    @Override
    public void watch(String room, Consumer<Change> watcher, Runnable heard) {
        watch.watch(room, watcher, heard);
    }

    @Override
    public void unwatch(String room) {
        watch.unwatch(room);
    }

    /**
     * Everyone in the room per Redis, in arrival order, plus any of this node's users Redis does not
     * list yet. When Redis does not answer within the command timeout: who Redis last said was here
     * (for a watched room), less those who left through this node since, plus this node's users.
     */
    @Override
    public CompletableFuture<List<Author>> here(String room) {
        return watch.here(room);
    }

    /** From a cache refreshed every {@code lobbyRefresh}; never waits on Redis. */
    @Override
    public List<Occupancy> busiest(int limit) {
        return lobby.busiest(limit);
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
        CompletableFuture<Void> done = sync.leaveAll(liveness.claimKey(), liveness.claimHolder());
        liveness.stopBeating();
        return done;
    }

    /**
     * Stops the heartbeat, the sweeper, the lobby cache and the connections, frees the node id (so that
     * the node restarted under it need not wait), and departs nothing: this node's users stay in every
     * room until the sweeper declares this run dead after {@code nodeTimeout}, and then leave unless they
     * came back through another node or the restarted one. Changes not yet in Redis are dropped.
     */
    @Override
    public void close() {
        if (!shutDown.compareAndSet(false, true)) {
            return;
        }
        int waiting = sync.close();
        timers.shutdownNow();
        watch.clear();
        liveness.releaseClaim();
        redis.closeConnections();
        log.info("{}: closed; {} users kept for the sweeper or this node's return, {} changes not sent",
                redis.where, record.size(), waiting);
        whenClosed.run();
    }

    /** For tests: stops (or restarts) this node's heartbeat and nothing else, as a long pause would. */
    void pauseHeartbeat(boolean paused) {
        liveness.pause(paused);
    }
}
