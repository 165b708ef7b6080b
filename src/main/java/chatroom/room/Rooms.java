package chatroom.room;

import java.time.Clock;
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
 * sleep (their {@link Room} leaves memory while their sockets stay open) and removes hosts that have
 * neither room nor members. When the {@link MessageFeed} may have lost messages, every room here checks
 * the store for what it has not seen.
 *
 * <p>Threading: safe from any thread. Each host is given one single-threaded executor from {@code
 * executors} (in production an event loop) and keeps it for life.
 */
public final class Rooms implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Rooms.class);

    private final ConcurrentHashMap<String, RoomHost> hosts = new ConcurrentHashMap<>();
    private final RoomHost.Services services;
    private final Supplier<ScheduledExecutorService> executors;
    private final ScheduledExecutorService sweeper;
    private final AtomicInteger awake = new AtomicInteger();

    public Rooms(
            MessageStore messages,
            MessageFeed feed,
            PresenceBoard board,
            RoomViews views,
            RoomSettings settings,
            Supplier<ScheduledExecutorService> executors,
            Clock clock) {
        this(messages, feed, board, views, settings, executors, clock, CatchUps.sizedForHeap());
    }

    Rooms(
            MessageStore messages,
            MessageFeed feed,
            PresenceBoard board,
            RoomViews views,
            RoomSettings settings,
            Supplier<ScheduledExecutorService> executors,
            Clock clock,
            CatchUps catchUps) {
        this.services = new RoomHost.Services(messages, feed, board, views, settings, clock, catchUps);
        this.executors = executors;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rooms-sweeper");
            t.setDaemon(true);
            return t;
        });
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
        feed.whenMessagesMayBeLost(this::checkTails);
    }

    /** The host of the named room, made on first use. */
    public RoomHost get(RoomName name) {
        RoomHost host = hosts.get(name.value());
        if (host != null) {
            return host;
        }
        RoomHost made = new RoomHost(name, executors.get(), this, services);
        host = hosts.putIfAbsent(name.value(), made);
        if (host != null) {
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
        hosts.remove(host.name().value(), host);
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
