package chatroom.cluster;

import static chatroom.cluster.RedisCalls.restoreInterrupt;
import static chatroom.cluster.RedisCalls.rootMessage;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * That this node is alive, and that others are not: its claim on its id ({@link NodeClaim}), taken at
 * start or, for a node that started while Redis was away, when Redis first answers; the heartbeat
 * every {@code heartbeatInterval}, whose key expires after {@code nodeTimeout}; and the sweeper every
 * {@code sweepInterval}, run by whichever node takes its lock, which declares every node whose
 * heartbeat is gone dead and departs its users. A heartbeat that was missing means Redis lost this
 * node's state (restart, wipe) or declared it dead: the node then asserts all of its users again
 * ({@link PresenceSync}), loudly only if it had been declared dead. Runs on the board's timers.
 */
final class NodeLiveness {

    private static final Logger log = LoggerFactory.getLogger(NodeLiveness.class);

    /** How long the sweeper remembers that it declared a node dead, so that a node back from the dead announces its users. */
    private static final Duration DEAD_REMEMBERED = Duration.ofDays(1);

    private final PresenceConnections redis;
    private final PresenceWatch watch;
    private final PresenceSync sync;
    private final NodeClaim claim;
    private final Runnable closeBoard;
    private final AtomicReference<String> otherHolder = new AtomicReference<>("");
    private volatile String refused; // why the id was refused when Redis came back; null if it was not
    private volatile Consumer<String> whenTaken = message -> {};
    private volatile ScheduledFuture<?> heartbeat;
    private volatile boolean paused; // tests: a node too slow to beat

    NodeLiveness(PresenceConnections redis, String incarnation, PresenceWatch watch, PresenceSync sync, Runnable closeBoard) {
        this.redis = redis;
        this.watch = watch;
        this.sync = sync;
        this.claim = new NodeClaim(redis.keys, redis.settings.nodeId(), incarnation, redis.address());
        this.closeBoard = closeBoard;
    }

    /**
     * Connects and claims the id, at the start: throws {@link NodeClaim.TakenException} when a live node
     * holds it, and whatever else stops it when Redis cannot be reached (the board joins later then).
     */
    void joinNow() throws Exception {
        redis.open(watch.listener());
        if (redis.settings.claimsNodeId()) {
            claimNow();
        }
        redis.startWriting();
    }

    void start(ScheduledExecutorService timers) {
        long heartbeatMs = redis.settings.heartbeatInterval().toMillis();
        heartbeat = timers.scheduleWithFixedDelay(this::heartbeatTick, 0, heartbeatMs, TimeUnit.MILLISECONDS);
        long sweepMs = redis.settings.sweepInterval().toMillis();
        timers.scheduleWithFixedDelay(this::sweepTick, sweepMs, sweepMs, TimeUnit.MILLISECONDS);
    }

    /** Stops the heartbeat at once: a node that leaves for good removes it itself. */
    void stopBeating() {
        ScheduledFuture<?> beating = heartbeat;
        if (beating != null) {
            beating.cancel(false);
        }
    }

    /** See {@link RedisPresence#whenNodeIdTaken}. */
    void whenNodeIdTaken(Consumer<String> stop) {
        whenTaken = Objects.requireNonNull(stop, "stop");
        String message = refused;
        if (message != null) {
            stop.accept(message);
        }
    }

    /** Why this node is kept unready: its id refused or not claimed yet, or Redis away; empty if nothing. */
    String trouble() {
        if (refused != null) {
            return refused;
        }
        if (!redis.writing()) {
            return redis.where + ": node id '" + redis.settings.nodeId() + "' not claimed yet";
        }
        return redis.away() ? redis.where + ": redis does not answer" : "";
    }

    void pause(boolean paused) {
        this.paused = paused;
    }

    /** The claim's key and holder, for a node that leaves and releases the id itself. */
    String[] claimKey() {
        return new String[] {claim.key};
    }

    String claimHolder() {
        return claim.holder;
    }

    /** Frees the id at once on a clean stop, so that the node restarted under it need not wait for it to run out. */
    void releaseClaim() {
        StatefulRedisConnection<String, String> open = redis.commands();
        if (!redis.writing() || open == null || !redis.settings.claimsNodeId()) {
            return;
        }
        try {
            redis.await(open.async().eval(NodeClaim.RELEASE, ScriptOutputType.INTEGER, claimKey(), claim.holder));
        } catch (Exception e) {
            restoreInterrupt(e);
            log.info("{}: could not release node id '{}'; it runs out within {} ms ({})",
                    redis.where, redis.settings.nodeId(), redis.settings.nodeTimeout().toMillis(), rootMessage(e));
        }
    }

    private void claimNow() throws Exception {
        long pollMs = Math.max(50, Math.min(500, redis.settings.heartbeatInterval().toMillis() / 2));
        claim.claim(redis.commands().async(), redis.settings.nodeTimeout().toMillis(), pollMs,
                redis.settings.commandTimeout().toMillis());
    }

    /** On the timers: connects and claims the id, for a board that started while Redis was unreachable. */
    private boolean joinLate() {
        try {
            joinNow();
        } catch (NodeClaim.TakenException e) {
            refused = e.getMessage();
            log.error("{}: {}", redis.where, e.getMessage());
            closeBoard.run();
            whenTaken.accept(e.getMessage());
            return false;
        } catch (Exception e) {
            restoreInterrupt(e);
            redis.down(e);
            return false;
        }
        watch.resubscribeLater();
        log.info("{}: joined: redis answers and node id '{}' is claimed", redis.where, redis.settings.nodeId());
        return true;
    }

    private void heartbeatTick() {
        if (paused || redis.stopped()) {
            return;
        }
        if (!redis.writing() && !joinLate()) {
            return;
        }
        try {
            List<Object> reply = redis.await(redis.eval(PresenceScripts.HEARTBEAT, ScriptOutputType.MULTI,
                    redis.base, redis.node, redis.heartbeatTtl(), claim.key, claim.holder));
            boolean hadHeartbeat = ((Long) reply.get(0)) == 1;
            boolean wasDead = ((Long) reply.get(1)) == 1;
            String other = (String) reply.get(2);
            if (!other.equals(otherHolder.getAndSet(other)) && !other.isEmpty()) {
                // only after Redis lost the claim, or in a fault test: each run keeps to its own users
                log.error("{}: node id '{}' is also held by {}: two processes run under one id; stop one of them",
                        redis.where, redis.settings.nodeId(), other);
            }
            if (wasDead) {
                log.warn("{}: this node had been declared dead; announcing its users again", redis.where);
                sync.reassertLoudly();
            }
            if (!hadHeartbeat) {
                sync.reassertFor(wasDead ? "it had been declared dead" : "redis had lost its heartbeat");
            }
            redis.up();
            watch.resubscribeIfNeeded();
            sync.sync();
        } catch (Exception e) {
            restoreInterrupt(e);
            redis.down(e);
        }
    }

    private void sweepTick() {
        if (!redis.writing()) {
            return;
        }
        try {
            String locked = redis.await(redis.commands().async().set(redis.keys.sweeperLock(), redis.settings.nodeId(),
                    SetArgs.Builder.nx().px(redis.settings.sweepInterval().toMillis())));
            if (!"OK".equals(locked)) {
                return; // another node sweeps this round
            }
            List<Object> dead = redis.await(redis.eval(PresenceScripts.SWEEP, ScriptOutputType.MULTI,
                    redis.base, Long.toString(DEAD_REMEMBERED.toSeconds())));
            for (Object node : dead) {
                log.warn("{}: node {} declared dead: no heartbeat for {} ms; its users departed",
                        redis.where, PresenceKeys.unescape((String) node), redis.settings.nodeTimeout().toMillis());
            }
        } catch (Exception e) {
            restoreInterrupt(e);
            redis.down(e);
        }
    }
}
