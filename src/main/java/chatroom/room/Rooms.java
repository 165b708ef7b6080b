package chatroom.room;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
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
 * Every room of this server, by name. The web layer asks it for a room's {@link RoomHost} and talks to
 * that; rooms come into being on first use. A background sweep lets idle rooms sleep (their {@link
 * Room} object leaves memory while their sockets stay open) and forgets hosts that have neither.
 *
 * <p>Threading: safe from any thread. Each host is given one single-threaded executor from {@code
 * executors} (in production an event loop) and keeps it for life.
 */
public final class Rooms implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Rooms.class);

    private final ConcurrentHashMap<String, RoomHost> hosts = new ConcurrentHashMap<>();
    private final MessageStore messages;
    private final RoomViews views;
    private final RoomSettings settings;
    private final Supplier<ScheduledExecutorService> executors;
    private final Clock clock;
    private final ScheduledExecutorService sweeper;

    final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger awake = new AtomicInteger();

    /** How many people are in a public room now. */
    public record Occupancy(RoomName name, int people) {}

    public Rooms(
            MessageStore messages,
            RoomViews views,
            RoomSettings settings,
            Supplier<ScheduledExecutorService> executors,
            Clock clock) {
        this.messages = messages;
        this.views = views;
        this.settings = settings;
        this.executors = executors;
        this.clock = clock;
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
    }

    /** The host of the named room, made on first use. */
    public RoomHost get(RoomName name) {
        return hosts.computeIfAbsent(name.value(), n -> new RoomHost(name, executors.get(), this));
    }

    /** Tells every room the user is in that they have a new display name. */
    public void rename(String userId, String newName) {
        hosts.values().forEach(host -> host.rename(userId, newName));
    }

    /** Public rooms with people in them now, busiest first. Private rooms are never listed. */
    public List<Occupancy> occupied() {
        List<Occupancy> list = new ArrayList<>();
        for (RoomHost host : hosts.values()) {
            int people = host.people;
            if (people > 0 && !host.name.isPrivate()) {
                list.add(new Occupancy(host.name, people));
            }
        }
        list.sort(Comparator.comparingInt(Occupancy::people).reversed().thenComparing(o -> o.name().value()));
        return list;
    }

    public int connectionCount() {
        return connections.get();
    }

    public int awakeCount() {
        return awake.get();
    }

    /** Rooms whose sockets are open but whose room object has left memory. */
    public int sleepingCount() {
        return Math.max(0, hosts.size() - awake.get());
    }

    Room wake(RoomHost host) {
        awake.incrementAndGet();
        log.debug("{}: room wakes", host.name);
        return new Room(host, messages, views, settings, clock);
    }

    void slept(RoomHost host) {
        awake.decrementAndGet();
        log.debug("{}: room sleeps", host.name);
    }

    void retire(RoomHost host) {
        hosts.remove(host.name.value(), host);
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
