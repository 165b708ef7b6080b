package chatroom.web;

import chatroom.room.Member;
import chatroom.room.RoomHost;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Who is sending through this node: every user and every client address with a socket open here, and
 * the allowances their sockets share — messages per user, messages per address, renames per user — on
 * top of each socket's own ({@link WebSocketMember}). A user is the identity of the signed cookie, never
 * anything a frame says; an address is {@link ClientAddress#limitKey()}: the forwarded one behind a trusted
 * proxy, an IPv6 client's whole /64. This machine connecting directly (no limit key) has no address
 * allowance: as for {@link SocketSlots}, it may be a proxy missing from {@code --trusted-proxies} that
 * stands for every visitor at once.
 *
 * <p>A user's entry also knows the room of each of its sockets, so that a rename goes to those rooms
 * only, not to every room of the node.
 *
 * <p>Bounded: an entry lives while a socket holds it, and after its last socket closes only until its
 * allowances are whole again (at most a burst's worth of the rate's interval, a minute for renames);
 * then it is dropped at once if whole on closing, else by a sweep that runs, at most every ten
 * seconds, when a socket opens. So a hundred thousand addresses that came and went leave
 * nothing behind, and one that floods and leaves cannot come back to a whole allowance at once.
 *
 * <p>Thread-safe. Opening and closing go through the map's lock for that key ({@code compute}), so an
 * entry is never dropped while a socket is taking it. The hot path, one message, is one compare-and-set
 * on an {@link Allowance} that the socket holds a reference to: no lookup, and no lock shared by the
 * event loops.
 */
final class Senders {

    private static final long SWEEP_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
    private final long sweepEveryNanos;

    /** What one user or one address shares among its sockets. */
    static final class Sender {
        private final Rate messageRate;
        private final Allowance messages;
        /** Users only; null for an address. */
        private final Allowance renames;
        /** Each socket open: its room, and its member once known; the list's size is the sender's socket count. Under the map's lock. */
        private final List<Socket> rooms = new ArrayList<>(1);

        private Sender(Rate messageRate, boolean user, long nowNanos) {
            this.messageRate = messageRate;
            this.messages = new Allowance(nowNanos);
            this.renames = user ? new Allowance(nowNanos) : null;
        }

        /** Spends one message; false when this sender's sockets together have sent their share. */
        boolean takeMessage(long nowNanos) {
            return messages.take(messageRate, nowNanos);
        }

        /** How long until this sender may send one more message; 0 if now. */
        long messageWaitNanos(long nowNanos) {
            return messageRate.off() ? 0 : messages.waitNanos(messageRate, nowNanos);
        }

        private boolean forgettable(long nowNanos) {
            return rooms.isEmpty() && messages.whole(nowNanos) && (renames == null || renames.whole(nowNanos));
        }
    }

    /** A socket of a sender: the room it is in, and its member (null until {@link #joined}). */
    record Socket(RoomHost room, Member member) {}

    private final Rate userMessages;
    private final Rate addressMessages;
    private final Rate renames;
    private final ConcurrentHashMap<String, Sender> users = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Sender> addresses = new ConcurrentHashMap<>();
    private final AtomicLong nextSweepNanos;

    Senders(Rate userMessages, Rate addressMessages, Rate renames) {
        this(userMessages, addressMessages, renames, SWEEP_EVERY_NANOS);
    }

    /** With another sweep period: for tests. */
    Senders(Rate userMessages, Rate addressMessages, Rate renames, long sweepEveryNanos) {
        this.userMessages = userMessages;
        this.addressMessages = addressMessages;
        this.renames = renames;
        this.sweepEveryNanos = sweepEveryNanos;
        this.nextSweepNanos = new AtomicLong(System.nanoTime() + sweepEveryNanos);
    }

    /** Counts a socket of {@code userId} in {@code room} until {@link #closed}; returns the user's entry. */
    Sender opened(String userId, RoomHost room) {
        return open(users, userId, room, userMessages, true);
    }

    /**
     * Counts a socket from {@code client} under its {@link ClientAddress#limitKey()} until {@link #closed};
     * null when addresses are not limited or it is this machine.
     */
    Sender opened(ClientAddress client, RoomHost room) {
        if (addressMessages.off() || client.limitKey() == null) {
            return null;
        }
        return open(addresses, client.limitKey(), room, addressMessages, false);
    }

    private Sender open(ConcurrentHashMap<String, Sender> table, String key, RoomHost room, Rate rate, boolean user) {
        long now = System.nanoTime();
        sweepIfDue(now);
        return table.compute(key, (k, sender) -> {
            Sender s = sender != null ? sender : new Sender(rate, user, now);
            s.rooms.add(new Socket(room, null));
            return s;
        });
    }

    /** The user's socket in {@code room} that {@link #opened} counted is {@code member}: a rename may reach it. */
    void joined(String userId, RoomHost room, Member member) {
        users.computeIfPresent(userId, (k, s) -> {
            int i = s.rooms.indexOf(new Socket(room, null));
            if (i >= 0) {
                s.rooms.set(i, new Socket(room, member));
            }
            return s;
        });
    }

    /**
     * The socket in {@code room} that {@link #opened} counted for {@code sender} has closed; {@code member}
     * is its member, or null if it never had one.
     */
    void closed(String key, Sender sender, RoomHost room, Member member) {
        ConcurrentHashMap<String, Sender> table = sender.renames != null ? users : addresses;
        long now = System.nanoTime();
        table.computeIfPresent(key, (k, s) -> {
            if (!s.rooms.remove(new Socket(room, member))) {
                s.rooms.remove(new Socket(room, null));
            }
            return s.forgettable(now) ? null : s;
        });
    }

    /**
     * Spends one of the user's renames and answers a socket of the user in each room the user is in on this
     * node, the only rooms to tell; throws 429, saying when to try again, if the user has renamed too often. A user
     * with no socket here has no room to tell and nothing to limit: the rename only changes their cookie.
     */
    Collection<Socket> renaming(String userId) {
        long now = System.nanoTime();
        Map<RoomHost, Socket> rooms = new LinkedHashMap<>();
        long[] waitNanos = {-1};
        users.computeIfPresent(userId, (k, s) -> {
            if (s.renames.take(renames, now)) {
                for (Socket socket : s.rooms) {
                    if (socket.member() != null) {
                        rooms.putIfAbsent(socket.room(), socket);
                    }
                }
            } else {
                waitNanos[0] = s.renames.waitNanos(renames, now);
            }
            return s;
        });
        if (waitNanos[0] >= 0) {
            long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(waitNanos[0] + 999_999_999L));
            throw new HttpException(HttpResponseStatus.TOO_MANY_REQUESTS, "You have changed your name too often; "
                    + "your name stays as it was. Try again in " + seconds + (seconds == 1 ? " second." : " seconds."));
        }
        return rooms.values();
    }

    /** Users and addresses remembered now: for tests and the memory budget. */
    int size() {
        return users.size() + addresses.size();
    }

    /** Drops entries whose sockets have all closed and whose allowances have become whole since. */
    private void sweepIfDue(long now) {
        long due = nextSweepNanos.get();
        if (now - due < 0 || !nextSweepNanos.compareAndSet(due, now + sweepEveryNanos)) {
            return;
        }
        sweep(users, now);
        sweep(addresses, now);
    }

    private static void sweep(ConcurrentHashMap<String, Sender> table, long now) {
        for (var entry : table.entrySet()) {
            if (entry.getValue().forgettable(now)) { // a racy first look; the compute decides
                table.computeIfPresent(entry.getKey(), (k, s) -> s.forgettable(now) ? null : s);
            }
        }
    }
}
