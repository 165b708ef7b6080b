package chatroom.cluster;

import static chatroom.cluster.RedisCalls.rootMessage;

import chatroom.room.Author;
import chatroom.room.PresenceBoard.Change;
import chatroom.room.PresenceBoard.Rename;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The presence board's reading side: the rooms this node watches, their presence channels' subscriptions
 * (and their confirmation, which this node's own changes wait for), the changes heard and handed to each
 * room's watcher, and who is here, read from Redis, or while Redis is away from what it last said less
 * those who left through this node since. When the people in a room may have changed without a notice
 * (the channel was subscribed again and may have missed changes, or Redis is away), the watcher gets an
 * empty {@link Change}: nothing to announce, but the people shown should be read again. A room's first
 * subscription announces who joined before it was heard ({@link StartingRoom}).
 *
 * <p>Threading: watchers are called on the pub/sub connection's I/O thread, one change at a time, or
 * on the board's timers while Redis is away. The hazard: a watcher that blocks stalls every room's
 * presence on this node.
 */
final class PresenceWatch {

    private static final Logger log = LoggerFactory.getLogger(PresenceWatch.class);
    private static final Change REREAD = new Change(List.of(), List.of(), List.of());

    private final PresenceConnections redis;
    private final RedisNames names;
    private final NodeRecord record;
    private final Executor timers;
    /** Per room, the users whose departure through this node Redis has not taken yet. */
    private final Function<String, Set<String>> leavingThroughHere;
    private final Map<String, Consumer<Change>> watchers = new ConcurrentHashMap<>();
    private final Object watching = new Object(); // orders watcher changes with their (UN)SUBSCRIBE
    /** Per watched room, who Redis last said was here: with this node's own changes, the answer while Redis is away. */
    private final Map<String, List<Author>> lastHere = new ConcurrentHashMap<>();
    /** Per watched room, the SUBSCRIBE sent last: this node's changes to a room wait for it (briefly). */
    private final Map<String, CompletableFuture<?>> subscriptions = new ConcurrentHashMap<>();
    /** Per room watched but not yet heard: what its members were shown meanwhile. */
    private final Map<String, StartingRoom> starting = new ConcurrentHashMap<>();
    private final AtomicBoolean resubscribeNeeded = new AtomicBoolean();
    private final RedisCalls.State subscription = new RedisCalls.State("up");

    PresenceWatch(PresenceConnections redis, NodeRecord record, Executor timers, Function<String, Set<String>> leavingThroughHere) {
        this.redis = redis;
        this.names = new RedisNames(redis.settings.prefix());
        this.record = record;
        this.timers = timers;
        this.leavingThroughHere = leavingThroughHere;
    }

    /** The listener the pub/sub connection is opened with. */
    RedisPubSubAdapter<String, String> listener() {
        return new Listener();
    }

    void watch(String room, Consumer<Change> watcher, Runnable heard) {
        Objects.requireNonNull(watcher, "watcher");
        synchronized (watching) {
            if (watchers.put(room, watcher) == null && !redis.stopped()) {
                starting.put(room, new StartingRoom(heard));
                subscriptions.put(room, subscribe(List.of(names.presence(room))));
            }
        }
    }

    void unwatch(String room) {
        synchronized (watching) {
            subscriptions.remove(room);
            starting.remove(room);
            lastHere.remove(room);
            if (watchers.remove(room) != null && !redis.stopped()) {
                try {
                    redis.pubsub().async().unsubscribe(names.presence(room));
                } catch (RuntimeException e) {
                    // the channel goes when the connection does; a stray message finds no watcher
                }
            }
        }
    }

    /** Subscribes every watched room again if a subscription failed (or the board joined late): on the heartbeat. */
    void resubscribeIfNeeded() {
        if (resubscribeNeeded.getAndSet(false)) {
            synchronized (watching) {
                if (!watchers.isEmpty()) {
                    CompletableFuture<?> confirmed = subscribe(watchers.keySet().stream().map(names::presence).toList());
                    watchers.keySet().forEach(room -> subscriptions.put(room, confirmed));
                }
            }
        }
    }

    void resubscribeLater() {
        resubscribeNeeded.set(true);
    }

    /** True while the rooms' channels are subscribed, as far as this node knows. */
    boolean subscribed() {
        return subscription.is("up");
    }

    void clear() {
        watchers.clear();
    }

    /** Sends SUBSCRIBE; the future completes when Redis confirms it (or fails, to be retried). Guarded by watching. */
    private CompletableFuture<?> subscribe(List<String> channels) {
        try {
            CompletableFuture<Void> confirmed = redis.pubsub().async().subscribe(channels.toArray(String[]::new)).toCompletableFuture();
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
        if (subscription.becomes("down")) {
            log.info("{}: cannot subscribe to room channels; retrying with the heartbeat ({})", redis.where, rootMessage(e));
        }
    }

    /**
     * Waits, up to the command timeout, until this node hears the room's channel: a room that has just
     * started watching would otherwise miss the announcement of its own first user. A subscription that
     * fails is retried with the heartbeat; the change goes ahead anyway.
     */
    void awaitSubscription(String room) throws InterruptedException {
        CompletableFuture<?> confirmed = subscriptions.get(room);
        if (confirmed == null || confirmed.isDone()) {
            return;
        }
        try {
            confirmed.get(redis.settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // announced without this node hearing it; the room reads who is here once subscribed
        }
    }

    /** Lettuce's pub/sub callbacks: changes to watchers, and a refresh after every (re)subscription. */
    private final class Listener extends RedisPubSubAdapter<String, String> {

        @Override
        public void message(String channel, String payload) {
            String room = names.roomOfPresence(channel);
            Consumer<Change> watcher = room == null ? null : watchers.get(room);
            if (watcher == null) {
                return;
            }
            Change change;
            try {
                change = PresenceCodec.readChange(payload);
            } catch (IllegalArgumentException e) {
                log.warn("{}: {}: undecodable change dropped ({})", redis.where, room, e.getMessage());
                return;
            }
            StartingRoom start = starting.get(room);
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
            String room = names.roomOfPresence(channel);
            Consumer<Change> watcher = room == null ? null : watchers.get(room);
            StartingRoom start = room == null ? null : starting.get(room);
            if (watcher != null && start != null && start.confirm()) {
                firstHeard(room, watcher, start);
            } else if (watcher != null) {
                // changes published while the channel was not subscribed are lost: read who is here again
                tell(room, watcher, REREAD);
            }
            if (subscription.becomes("up")) {
                log.info("{}: room channels subscribed again", redis.where);
            }
        }
    }

    /**
     * The room's first subscription: who joined before it was heard is announced from the difference.
     * PING on the channel's connection comes back after every message Redis sent before it ran the
     * read: what the read lists and the channel announced has been heard by then.
     */
    private void firstHeard(String room, Consumer<Change> watcher, StartingRoom start) {
        here(room).thenCompose(here -> pubsubBarrier().handle((ok, e) -> here)).whenComplete((here, error) -> {
            starting.remove(room, start);
            List<Author> joined = error == null ? start.joinedUnheard(here, record.here(room)) : List.of();
            tell(room, watcher, new Change(joined, List.of(), List.of()));
            try {
                start.whenHeard.run();
            } catch (RuntimeException e) {
                log.error("{}: {}: watcher failed", redis.where, room, e);
            }
        });
    }

    private CompletableFuture<?> pubsubBarrier() {
        try {
            return redis.pubsub().async().ping().toCompletableFuture()
                    .orTimeout(redis.settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void tell(String room, Consumer<Change> watcher, Change change) {
        try {
            watcher.accept(change);
        } catch (RuntimeException e) {
            log.error("{}: {}: watcher failed", redis.where, room, e);
        }
    }

    // ---- reading

    /** See {@link RedisPresence#here}. */
    CompletableFuture<List<Author>> here(String room) {
        List<Author> mine = record.here(room);
        if (redis.stopped()) {
            return CompletableFuture.completedFuture(mine);
        }
        StartingRoom start = starting.get(room);
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
        return redis.<List<Object>>eval(PresenceScripts.HERE, ScriptOutputType.MULTI, redis.base, PresenceKeys.escape(room))
                .orTimeout(redis.settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((reply, error) -> {
                    if (error != null) {
                        return hereWhileAway(room, mine);
                    }
                    List<Author> fromRedis = new ArrayList<>(reply.size());
                    for (Object json : reply) {
                        try {
                            fromRedis.add(PresenceCodec.readAuthor((String) json));
                        } catch (IllegalArgumentException | ClassCastException e) {
                            log.warn("{}: {}: undecodable user skipped ({})", redis.where, room, e.getMessage());
                        }
                    }
                    List<Author> listed = union(fromRedis, List.of());
                    if (watchers.containsKey(room)) {
                        lastHere.put(room, listed);
                    }
                    return union(listed, mine);
                });
    }

    private List<Author> hereWhileAway(String room, List<Author> mine) {
        Set<String> gone = leavingThroughHere.apply(room);
        Set<String> mineIds = Author.ids(mine);
        // one who left through this node may still be here through another: unknown until Redis is back
        List<Author> stayed = lastHere.getOrDefault(room, List.of()).stream()
                .filter(author -> !gone.contains(author.id()) || mineIds.contains(author.id()))
                .toList();
        return union(stayed, mine);
    }

    /**
     * While Redis is away this node's changes are announced only when it is back, so its room is told to
     * read who is here now (from {@link #hereWhileAway}) and at least shows this node's users right.
     */
    void refreshWhileAway(String room) {
        if (redis.away()) {
            Consumer<Change> watcher = watchers.get(room);
            if (watcher != null) {
                try {
                    timers.execute(() -> tell(room, watcher, REREAD));
                } catch (RuntimeException e) {
                    // closing
                }
            }
        }
    }

    /** Each user once (the first time listed), {@code first}'s in their order, then {@code then}'s not in it. */
    static List<Author> union(List<Author> first, List<Author> then) {
        Set<String> ids = new HashSet<>();
        List<Author> all = new ArrayList<>(first.size() + then.size());
        for (List<Author> list : List.of(first, then)) {
            for (Author author : list) {
                if (ids.add(author.id())) {
                    all.add(author);
                }
            }
        }
        return List.copyOf(all);
    }
}
