package chatroom.cluster;

import static chatroom.cluster.RedisCalls.restoreInterrupt;
import static chatroom.cluster.RedisCalls.rootMessage;

import chatroom.room.Author;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's presence changes on their way into Redis: the node's own record of what it asserted
 * ({@link NodeRecord}, the truth it asserts again whenever Redis may have lost it), and a queue of
 * changes not yet confirmed by Redis, run in order on one thread, {@code presence-sync}, and retried
 * until Redis takes them (each script is idempotent per node, so a retry of one that did run changes
 * nothing). A re-assertion puts every user in the record back at once, after Redis lost this node's
 * state or declared it dead, and replaces the queued changes it covers.
 */
final class PresenceSync {

    private static final Logger log = LoggerFactory.getLogger(PresenceSync.class);

    /** Changes waiting for Redis beyond this many are dropped for one full re-assertion instead. */
    private static final int MAX_QUEUED_CHANGES = 100_000;

    /** A change made on this node, waiting to be run in Redis. */
    private sealed interface Op {
        long seq();

        String room();
    }

    private record Arriving(long seq, String room, Author user) implements Op {}

    private record Departing(long seq, String room, Author user) implements Op {}

    private record Renaming(long seq, String room, Author user, String oldName) implements Op {}

    private final PresenceConnections redis;
    private final NodeRecord record;
    private final PresenceWatch watch;
    private final ArrayDeque<Op> queue = new ArrayDeque<>(); // guarded by itself, as is opSeq
    private long opSeq;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(RedisCalls.daemon("presence-sync"));
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean reassertNeeded = new AtomicBoolean();
    private volatile String reassertReason = "";
    private final AtomicBoolean reassertLoudly = new AtomicBoolean();
    private final long orphansDepartableAtNanos;

    PresenceSync(PresenceConnections redis, NodeRecord record, PresenceWatch watch) {
        this.redis = redis;
        this.record = record;
        this.watch = watch;
        this.orphansDepartableAtNanos = System.nanoTime() + redis.settings.nodeTimeout().toNanos();
    }

    // ---- changes made on this node: each returns false once the board takes no more

    boolean arrived(String room, Author user) {
        synchronized (queue) {
            if (redis.stopped()) {
                return false;
            }
            record.arrived(room, user, ++opSeq);
            enqueue(new Arriving(opSeq, room, user));
            return true;
        }
    }

    boolean departed(String room, Author user) {
        synchronized (queue) {
            if (redis.stopped()) {
                return false;
            }
            Author held = record.departed(room, user.id());
            enqueue(new Departing(++opSeq, room, held == null ? user : held));
            return true;
        }
    }

    boolean renamed(String room, Author user, String oldName) {
        synchronized (queue) {
            if (redis.stopped() || !record.renamed(room, user)) {
                return false;
            }
            enqueue(new Renaming(++opSeq, room, user, oldName));
            return true;
        }
    }

    // guarded by queue
    private void enqueue(Op op) {
        if (queue.size() >= MAX_QUEUED_CHANGES) {
            // Redis has been away through a lot of comings and goings: assert the record once instead
            log.warn("{}: {} changes wait for redis; dropping them for one full re-assertion when it is back",
                    redis.where, queue.size());
            queue.removeIf(waiting -> !(waiting instanceof Renaming));
            reassertFor("too many changes waited for redis");
        }
        queue.add(op);
    }

    /** The users whose departure from {@code room} through this node waits for Redis. */
    Set<String> leaving(String room) {
        Set<String> gone = new HashSet<>();
        synchronized (queue) {
            for (Op op : queue) {
                if (op instanceof Departing d && d.room().equals(room)) {
                    gone.add(d.user().id());
                }
            }
        }
        return gone;
    }

    void reassertFor(String reason) {
        reassertReason = reason;
        reassertNeeded.set(true);
    }

    /** The next re-assertion announces every user again: this node had been declared dead. */
    void reassertLoudly() {
        reassertLoudly.set(true);
    }

    // ---- the presence-sync thread

    /** Runs the queue (and a re-assertion if one is due) on the sync thread, soon. */
    void sync() {
        if (redis.stopped() || !redis.writing() || !scheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            thread.execute(() -> {
                scheduled.set(false);
                try {
                    boolean reasserted = reassertNeeded.getAndSet(false);
                    if (reasserted) {
                        reassert();
                    }
                    if (runQueue() > 0 || reasserted) {
                        redis.up();
                    }
                } catch (Exception e) {
                    restoreInterrupt(e);
                    boolean wasAway = redis.away();
                    redis.down(e);
                    if (!wasAway && redis.away()) {
                        Set<String> rooms = new HashSet<>();
                        synchronized (queue) {
                            queue.forEach(op -> rooms.add(op.room()));
                        }
                        rooms.forEach(watch::refreshWhileAway);
                    }
                }
            });
        } catch (RuntimeException e) {
            scheduled.set(false); // closing
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
        watch.awaitSubscription(op.room());
        String room = PresenceKeys.escape(op.room());
        String listed = PresenceConnections.listed(op.room());
        switch (op) {
            case Arriving a -> {
                redis.await(redis.eval(PresenceScripts.ARRIVE, ScriptOutputType.INTEGER,
                        redis.base, room, PresenceKeys.escape(a.user().id()), redis.node, listed,
                        PresenceCodec.author(a.user()), "1", redis.heartbeatTtl()));
                record.announced(a.room(), a.user().id(), a.seq());
            }
            case Departing d -> redis.await(redis.eval(PresenceScripts.DEPART, ScriptOutputType.INTEGER,
                    redis.base, room, PresenceKeys.escape(d.user().id()), redis.node, listed, PresenceCodec.author(d.user())));
            case Renaming r -> redis.await(redis.eval(PresenceScripts.RENAME, ScriptOutputType.INTEGER,
                    redis.base, room, PresenceKeys.escape(r.user().id()), PresenceCodec.author(r.user()),
                    PresenceCodec.renamed(r.user(), r.oldName())));
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
                long joined = redis.await(redis.eval(PresenceScripts.ARRIVE, ScriptOutputType.INTEGER,
                        redis.base, PresenceKeys.escape(h.room()), PresenceKeys.escape(h.author().id()), redis.node,
                        PresenceConnections.listed(h.room()), PresenceCodec.author(h.author()), announce, redis.heartbeatTtl()));
                record.announced(h.room(), h.author().id(), h.since());
                announced += joined == 1 && announce.equals("1") ? 1 : 0;
            }
            boolean orphansDeparted = System.nanoTime() - orphansDepartableAtNanos >= 0;
            int departed = orphansDeparted ? departOrphans() : 0;
            synchronized (queue) {
                queue.removeIf(op -> op.seq() <= upTo
                        && (op instanceof Arriving
                                || (op instanceof Departing d && (orphansDeparted || record.holds(d.room(), d.user().id())))));
            }
            if (!held.isEmpty() || departed > 0) {
                log.info("{}: asserted {} users again ({} announced), departed {} no longer here: {}",
                        redis.where, held.size(), announced, departed, reassertReason);
            }
        } catch (Exception e) {
            reassertNeeded.set(true);
            if (loudly) {
                reassertLoudly.set(true);
            }
            throw e;
        }
    }

    /** Departs the users this run's index lists but its record let go (a departure Redis never took). */
    private int departOrphans() throws Exception {
        int departed = 0;
        for (String field : redis.await(redis.commands().async().hkeys(redis.keys.nodeIndex(redis.nodeName)))) {
            int colon = field.indexOf(':');
            String room = PresenceKeys.unescape(field.substring(0, colon));
            String userId = PresenceKeys.unescape(field.substring(colon + 1));
            if (!record.holds(room, userId)) {
                redis.await(redis.eval(PresenceScripts.DEPART, ScriptOutputType.INTEGER, redis.base, field.substring(0, colon),
                        field.substring(colon + 1), redis.node, PresenceConnections.listed(room), ""));
                departed++;
            }
        }
        return departed;
    }

    // ---- leaving

    /**
     * Stops taking changes, queues a departure for every user this node holds and runs the queue, then
     * removes this run's heartbeat and releases its id ({@code releaseClaim}); see {@link RedisPresence#leaveAll}.
     */
    CompletableFuture<Void> leaveAll(String[] claimKey, String claimHolder) {
        List<NodeRecord.Held> held;
        synchronized (queue) {
            redis.stop();
            held = record.clear();
            for (NodeRecord.Held h : held) {
                queue.add(new Departing(++opSeq, h.room(), h.author()));
            }
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    runQueue();
                    RedisAsyncCommands<String, String> commands = redis.commands().async();
                    redis.await(commands.del(redis.keys.alive(redis.nodeName), redis.keys.nodeIndex(redis.nodeName)));
                    redis.await(commands.srem(redis.keys.nodes(), redis.node));
                    redis.await(commands.eval(NodeClaim.RELEASE, ScriptOutputType.INTEGER, claimKey, claimHolder));
                    log.info("{}: left every room ({} users)", redis.where, held.size());
                    done.complete(null);
                } catch (Exception e) {
                    restoreInterrupt(e);
                    log.warn("{}: could not leave every room; the sweeper will ({})", redis.where, rootMessage(e));
                    done.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e); // already closed
        }
        return done;
    }

    /** Stops taking changes and drops those not sent; returns how many were dropped. */
    int close() {
        int waiting;
        synchronized (queue) {
            redis.stop();
            waiting = queue.size();
            queue.clear();
        }
        thread.shutdownNow();
        return waiting;
    }
}
