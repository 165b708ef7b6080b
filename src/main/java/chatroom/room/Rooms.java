package chatroom.room;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every room that has members on this node, by name. The web layer asks it for a room's {@link
 * RoomHost} and talks to that; hosts come into being on first use. A background sweep lets idle rooms
 * sleep (their {@link Room} leaves memory while their sockets stay open); a host whose last member has
 * left removes itself within about a second ({@link RoomHost}). When the {@link MessageFeed} may have
 * lost messages, every room here checks the store for what it has not seen.
 *
 * <p>The node hosts at most {@code maxRooms} rooms at once: {@link #admit} refuses a room not hosted
 * yet beyond that, so that rooms made faster than they go cannot take the heap, whatever their cost.
 * The default comes from the heap ({@link #maxRoomsForHeap}).
 *
 * <p>Threading: safe from any thread. Each host is given one single-threaded executor from {@code
 * executors} (in production an event loop) and keeps it for life.
 */
public final class Rooms implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Rooms.class);

    private final ConcurrentHashMap<String, RoomHost> hosts = new ConcurrentHashMap<>();
    private final RoomServices services;
    private final Supplier<ScheduledExecutorService> executors;
    private final ScheduledExecutorService sweeper;
    private final AtomicInteger awake = new AtomicInteger();
    /** Hosts in {@link #hosts}, and those being made: taken before a host is made, so the cap is never overshot. */
    private final AtomicInteger hosted = new AtomicInteger();
    private final int maxRooms;

    /**
     * Heap counted per hosted room when sizing the cap from the heap: an empty awake room (its host, its
     * {@link Room}, its cursor, its feed and presence subscriptions) takes about this much, a little less on
     * one node (docs/LIMITS.md). Its members and their recent messages are counted with the connections.
     */
    static final long HEAP_PER_ROOM = 4 << 10;
    /** The share of the heap hosted rooms may take when the cap is sized from the heap. */
    static final int HEAP_SHARE_DIVISOR = 4;
    /** The cap's floor when sized from the heap, for the smallest heaps. */
    static final int MIN_ROOMS = 100;

    /** A node's rooms, at most as many at once as the heap allows ({@link #maxRoomsForHeap}). */
    public Rooms(RoomServices services, Supplier<ScheduledExecutorService> executors) {
        this(services, executors, maxRoomsForHeap());
    }

    /** {@code maxRooms}: the most rooms this node hosts at once (see {@link #admit}). */
    public Rooms(RoomServices services, Supplier<ScheduledExecutorService> executors, int maxRooms) {
        if (maxRooms < 1) {
            throw new IllegalArgumentException("maxRooms must be at least 1: " + maxRooms);
        }
        this.maxRooms = maxRooms;
        this.services = services;
        this.executors = executors;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rooms-sweeper");
            t.setDaemon(true);
            return t;
        });
        RoomSettings settings = services.settings();
        long idleNanos = settings.idleTimeout().toNanos();
        // check a few times per idle period, so a room sleeps within ~1.25× its idle time
        long periodMillis = Math.clamp(settings.idleTimeout().toMillis() / 4, 10, 5_000);
        sweeper.scheduleWithFixedDelay(
                () -> {
                    try {
                        long now = System.nanoTime();
                        hosts.values().forEach(host -> host.sweep(now, idleNanos));
                    } catch (RuntimeException e) {
                        log.error("rooms: sweep failed; will try again", e);
                    }
                },
                periodMillis,
                periodMillis,
                TimeUnit.MILLISECONDS);
        services.feed().whenMessagesMayBeLost(this::checkTails);
    }

    /**
     * A quarter of this JVM's heap at {@link #HEAP_PER_ROOM} a room: 16,384 rooms for the 256 MB that
     * {@code ./chatroom run} gives, at least {@link #MIN_ROOMS}.
     */
    public static int maxRoomsForHeap() {
        long heap = Runtime.getRuntime().maxMemory();
        return Math.clamp(heap / HEAP_SHARE_DIVISOR / HEAP_PER_ROOM, MIN_ROOMS, Integer.MAX_VALUE);
    }

    /** The most rooms this node hosts at once. */
    public int maxRooms() {
        return maxRooms;
    }

    /** The host of the named room, made on first use, whatever the cap: for events of members already here. */
    public RoomHost get(RoomName name) {
        return host(name, false);
    }

    /**
     * The host of the named room for a new socket, made on first use; null when the room is not hosted here
     * and this node hosts {@link #maxRooms} rooms already. Rooms already hosted are always admitted.
     */
    public RoomHost admit(RoomName name) {
        return host(name, true);
    }

    /** True when this node hosts the room now (its members would join it rather than make it). */
    public boolean hosts(RoomName name) {
        return hosts.containsKey(name.value());
    }

    /** The room's host, or null when this node does not host it now. */
    RoomHost current(RoomName name) {
        return hosts.get(name.value());
    }

    private RoomHost host(RoomName name, boolean capped) {
        RoomHost host = hosts.get(name.value());
        if (host != null) {
            return host;
        }
        if (hosted.incrementAndGet() > maxRooms && capped) {
            hosted.decrementAndGet();
            return null;
        }
        RoomHost made = new RoomHost(name, executors.get(), this, services);
        host = hosts.putIfAbsent(name.value(), made);
        if (host != null) {
            hosted.decrementAndGet();
            return host; // another thread made it first
        }
        made.start();
        return made;
    }

    /** The busiest public rooms across every node: see {@link PresenceBoard#busiest}. */
    public List<PresenceBoard.Occupancy> busiest(int limit) {
        return services.board().busiest(limit);
    }

    /** Rooms whose {@link Room} is in memory. */
    public int awakeCount() {
        return awake.get();
    }

    /** Rooms whose sockets are open but whose {@link Room} has left memory. */
    public int asleepCount() {
        return Math.max(0, hosts.size() - awake.get());
    }

    /** Asks the store how far each room here has got, and lets each read what it has not seen. */
    private void checkTails() {
        List<String> names = new ArrayList<>(hosts.keySet());
        if (names.isEmpty()) {
            return;
        }
        services.messages().lastSeqs(names).whenComplete((last, error) -> {
            if (error != null) {
                log.warn("rooms: cannot check {} rooms for missed messages: {}", names.size(), error.toString());
                return;
            }
            last.forEach((room, seq) -> {
                RoomHost host = hosts.get(room);
                if (host != null) {
                    host.tailIs(seq);
                }
            });
        });
    }

    void woke(RoomHost host) {
        awake.incrementAndGet();
        log.debug("{}: room wakes", host.name());
    }

    void slept(RoomHost host) {
        awake.decrementAndGet();
        log.debug("{}: room sleeps", host.name());
    }

    void remove(RoomHost host) {
        if (hosts.remove(host.name().value(), host)) {
            hosted.decrementAndGet();
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
