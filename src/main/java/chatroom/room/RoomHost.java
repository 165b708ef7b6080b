package chatroom.room;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts one room: its members' sockets, the single thread its events run on, and its {@link Room}
 * while the room is awake. The host is what stays in memory while a room sleeps, the part a Durable
 * Object's runtime keeps: a list of sockets and an executor, nothing more.
 *
 * <p>Threading: every field but {@link #people} is read and written only on {@link #executor}, which
 * runs one task at a time; events are posted there with {@link #run}, which wakes the room if it
 * sleeps. A host with no members and no room is retired from {@link Rooms}; an event that reaches a
 * retired host (a race with a new join) is passed on to the room's current host.
 */
public final class RoomHost {

    private static final Logger log = LoggerFactory.getLogger(RoomHost.class);

    final RoomName name;
    final ScheduledExecutorService executor;
    private final Rooms rooms;

    /** The members, grouped by the thread their sockets write on; see {@link Connection#executor()}. */
    final List<MemberGroup> groups = new ArrayList<>();
    private int memberCount;
    private Room room;
    private boolean retired;
    /** How many distinct users are here now; written on the room's thread, read by the lobby. */
    volatile int people;

    RoomHost(RoomName name, ScheduledExecutorService executor, Rooms rooms) {
        this.name = name;
        this.executor = executor;
        this.rooms = rooms;
    }

    public RoomName name() {
        return name;
    }

    /**
     * Adds a member. It first gets the messages after {@code afterSeq} (the last one its page shows),
     * or the latest history when {@code afterSeq} is negative, then every new message.
     */
    public void join(Connection member, long afterSeq) {
        run(room -> {
            rooms.connections.incrementAndGet();
            room.join(member, afterSeq);
        });
    }

    public void say(Connection member, String text) {
        run(room -> room.say(member, text));
    }

    public void leave(Connection member) {
        run(room -> room.leave(member));
    }

    /** Members whose sockets write on one thread. */
    static final class MemberGroup {
        final Executor executor;
        final List<Connection> members = new ArrayList<>();
        /** Broadcasts handed to {@link #executor} and not yet sent: how far that thread lags behind the room. */
        final AtomicInteger backlog = new AtomicInteger();

        MemberGroup(Executor executor) {
            this.executor = executor;
        }
    }

    void add(Connection member) {
        Executor writer = member.executor();
        for (MemberGroup group : groups) {
            if (group.executor == writer) {
                group.members.add(member);
                memberCount++;
                return;
            }
        }
        MemberGroup group = new MemberGroup(writer);
        group.members.add(member);
        groups.add(group);
        memberCount++;
    }

    /** Every member, as a copy: for the rare events that need them all (renames, waking). */
    List<Connection> members() {
        List<Connection> all = new ArrayList<>(memberCount);
        for (MemberGroup group : groups) {
            all.addAll(group.members);
        }
        return all;
    }

    /** Renames the user's sockets here, waking the room only if the user is in it. */
    void rename(String userId, String newName) {
        executor.execute(() -> {
            for (Connection member : members()) {
                if (member.author().id().equals(userId)) {
                    run(room -> room.rename(userId, newName));
                    return;
                }
            }
        });
    }

    /** Runs a room event on the room's thread, waking the room first if it sleeps. */
    void run(Consumer<Room> event) {
        executor.execute(() -> {
            if (retired) {
                rooms.get(name).run(event);
                return;
            }
            if (room == null) {
                room = rooms.wake(this);
            }
            try {
                event.accept(room);
            } catch (RuntimeException e) {
                // one bad event must not take the room down for everyone else
                log.error("{}: event failed", name, e);
            }
        });
    }

    boolean remove(Connection member) {
        for (MemberGroup group : groups) {
            List<Connection> members = group.members;
            int i = members.indexOf(member);
            if (i < 0) {
                continue;
            }
            // order among members does not matter, so swap the last one in instead of shifting the list
            int last = members.size() - 1;
            members.set(i, members.get(last));
            members.remove(last);
            memberCount--;
            rooms.connections.decrementAndGet();
            return true;
        }
        return false;
    }

    /** Lets an idle room sleep, and retires this host once it has neither room nor members. */
    void sweep(long nowNanos, long idleNanos) {
        executor.execute(() -> {
            if (retired) {
                return;
            }
            if (room != null && room.canSleep(nowNanos, idleNanos)) {
                room = null;
                rooms.slept(this);
            }
            if (room == null && memberCount == 0) {
                retired = true;
                rooms.retire(this);
            }
        });
    }
}
