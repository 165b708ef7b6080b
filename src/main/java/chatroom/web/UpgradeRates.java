package chatroom.web;

import chatroom.metrics.Meters;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How often one client address may open a WebSocket, and how often it may make this node host a room it
 * did not host yet: a token bucket each ({@link Rate}), per address. Both cost the server more than a
 * socket that stays: an upgrade is a handshake and an identity check, a new room its host, its room, a
 * store read and, in cluster mode, two Redis subscriptions. A client that enters room after room and
 * leaves each at once holds no socket, so {@code --max-sockets-per-ip} never sees it; this does.
 *
 * <p>An address is the key {@link SocketSlots} counts sockets under; this machine (loopback) is not
 * limited, for the same reason as there: it may be a proxy missing from {@code --trusted-proxies} that
 * stands for every visitor at once (and the load generator runs there).
 *
 * <p>Bounded: an entry is dropped once both its allowances are whole again (a burst's time after its
 * last upgrade at most), by a sweep that runs, at most every ten seconds, when an upgrade arrives.
 * Thread-safe: upgrades arrive on every event loop; each takes the map's lock for its own address only.
 */
final class UpgradeRates {

    private static final long SWEEP_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final class Entry {
        private final Allowance upgrades;
        private final Allowance newRooms;

        private Entry(long nowNanos) {
            this.upgrades = new Allowance(nowNanos);
            this.newRooms = new Allowance(nowNanos);
        }

        private boolean whole(long nowNanos) {
            return upgrades.whole(nowNanos) && newRooms.whole(nowNanos);
        }
    }

    private final Rate upgrades;
    private final Rate newRooms;
    /** The limits as the refused client reads them, e.g. "100 at once, then 10 a second". */
    private final String upgradesText;
    private final String newRoomsText;
    private final ConcurrentHashMap<String, Entry> addresses = new ConcurrentHashMap<>();
    private final AtomicLong nextSweepNanos = new AtomicLong(System.nanoTime() + SWEEP_EVERY_NANOS);

    /** Per second, sustained, and at once from a whole allowance; 0 per second turns that limit off. */
    UpgradeRates(double upgradesPerSecond, int upgradeBurst, double newRoomsPerSecond, int newRoomBurst) {
        this.upgrades = Rate.perSecond(upgradesPerSecond, upgradeBurst);
        this.newRooms = Rate.perSecond(newRoomsPerSecond, newRoomBurst);
        this.upgradesText = text(upgradesPerSecond, upgradeBurst);
        this.newRoomsText = text(newRoomsPerSecond, newRoomBurst);
    }

    /** Spends one upgrade of the client's address; throws 429 with Retry-After when it has none left. */
    void upgrade(ClientAddress client) {
        long waitNanos = take(client, upgrades, false);
        if (waitNanos >= 0) {
            Meters.upgradeRefused(Meters.UpgradeRefusal.UPGRADE_RATE);
            long seconds = seconds(waitNanos);
            throw HttpException.tooManyRequests(client.limitKey() + " has opened WebSockets too often (" + upgradesText
                    + "); try again in " + seconds + (seconds == 1 ? " second." : " seconds."), seconds);
        }
    }

    /** Spends one new room of the client's address; throws 429 with Retry-After when it has none left. */
    void newRoom(ClientAddress client) {
        long waitNanos = take(client, newRooms, true);
        if (waitNanos >= 0) {
            Meters.upgradeRefused(Meters.UpgradeRefusal.NEW_ROOM_RATE);
            long seconds = seconds(waitNanos);
            throw HttpException.tooManyRequests(client.limitKey() + " has opened rooms nobody was in too often ("
                    + newRoomsText + "); try again in " + seconds + (seconds == 1 ? " second," : " seconds,")
                    + " or join a room with people in it.", seconds);
        }
    }

    /** Addresses remembered now: for tests. */
    int size() {
        return addresses.size();
    }

    /** -1 when taken, else how long until one more would be allowed. */
    private long take(ClientAddress client, Rate rate, boolean newRoom) {
        String key = client.limitKey();
        if (rate.off() || key == null) {
            return -1; // this machine connecting directly has no per-address limits (see ClientAddress#limitKey)
        }
        long now = System.nanoTime();
        sweepIfDue(now);
        long[] waitNanos = {-1};
        addresses.compute(key, (address, entry) -> {
            Entry e = entry != null ? entry : new Entry(now);
            Allowance allowance = newRoom ? e.newRooms : e.upgrades;
            if (!allowance.take(rate, now)) {
                waitNanos[0] = allowance.waitNanos(rate, now);
            }
            return e;
        });
        return waitNanos[0];
    }

    private void sweepIfDue(long now) {
        long due = nextSweepNanos.get();
        if (now - due < 0 || !nextSweepNanos.compareAndSet(due, now + SWEEP_EVERY_NANOS)) {
            return;
        }
        for (var entry : addresses.entrySet()) {
            if (entry.getValue().whole(now)) { // a racy first look; the compute decides
                addresses.computeIfPresent(entry.getKey(), (k, e) -> e.whole(now) ? null : e);
            }
        }
    }

    private static long seconds(long nanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(nanos + 999_999_999L));
    }

    private static String text(double perSecond, int burst) {
        String rate = perSecond == Math.rint(perSecond) ? Long.toString((long) perSecond) : Double.toString(perSecond);
        return "the limit is " + burst + " at once, then " + rate + " a second";
    }
}
