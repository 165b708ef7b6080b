package chatroom.room;

import chatroom.metrics.Meters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The members of one room and how a fragment reaches them all. Members are grouped by the thread their
 * socket writes on: a broadcast sends directly to the members whose thread is the room's own, and one
 * task to each other thread for the rest, so it costs a handful of thread hand-offs, not one per member.
 *
 * <p>A member that is catching up (its history is being read) is skipped by broadcasts: the fragments
 * are held for it instead, and handed back by {@link #caughtUp} so that it sees every message once, in
 * order, after its history.
 *
 * <p>Backlog: each other thread may have at most {@link #MAX_BACKLOG} broadcasts of this room waiting.
 * Past that it is not keeping up (an overloaded server), and its share of the members is closed with
 * 1013 rather than let the queue, and the memory, grow without bound; they reconnect and catch up.
 *
 * <p>Threading: owned by the room's thread (its {@link RoomHost}); everything but the tasks handed to
 * other threads runs there. It outlives the {@link Room} object, which sleeps while members stay.
 */
final class Members {

    private static final Logger log = LoggerFactory.getLogger(Members.class);

    /** Most broadcasts of one room that may wait for another thread before its members there are closed. */
    static final int MAX_BACKLOG = 4096;

    private final RoomName room;
    private final Executor roomThread;
    private final List<Group> groups = new ArrayList<>();
    private final Map<Member, List<Fragment>> catchingUp = new HashMap<>();
    private int count;

    /** Members whose sockets write on one thread. */
    private static final class Group {
        final Executor writer;
        final List<Member> members = new ArrayList<>();
        /** Broadcasts handed to {@link #writer} and not yet sent: how far that thread lags behind the room. */
        final AtomicInteger backlog = new AtomicInteger();

        Group(Executor writer) {
            this.writer = writer;
        }
    }

    Members(RoomName room, Executor roomThread) {
        this.room = room;
        this.roomThread = roomThread;
    }

    void add(Member member) {
        Executor writer = member.executor();
        Group group = null;
        for (Group g : groups) {
            if (g.writer == writer) {
                group = g;
                break;
            }
        }
        if (group == null) {
            group = new Group(writer);
            groups.add(group);
        }
        group.members.add(member);
        count++;
    }

    /** Removes the member; false if it was not here (it left already). */
    boolean remove(Member member) {
        for (Group group : groups) {
            List<Member> members = group.members;
            int i = members.indexOf(member);
            if (i < 0) {
                continue;
            }
            // order among members does not matter, so swap the last one in instead of shifting the list
            int last = members.size() - 1;
            members.set(i, members.get(last));
            members.remove(last);
            count--;
            catchingUp.remove(member);
            return true;
        }
        return false;
    }

    boolean contains(Member member) {
        for (Group group : groups) {
            if (group.members.contains(member)) {
                return true;
            }
        }
        return false;
    }

    int count() {
        return count;
    }

    /** Every member, as a copy: for the rare events that need them all (renames, waking). */
    List<Member> all() {
        List<Member> all = new ArrayList<>(count);
        for (Group group : groups) {
            all.addAll(group.members);
        }
        return all;
    }

    /** From now until {@link #caughtUp}, broadcasts are held for this member instead of sent. */
    void catchingUp(Member member) {
        catchingUp.put(member, new ArrayList<>());
    }

    boolean isCatchingUp(Member member) {
        return catchingUp.containsKey(member);
    }

    /**
     * Ends the member's catching up: the fragments held for it meanwhile, in broadcast order, or null
     * if it left meanwhile.
     */
    List<Fragment> caughtUp(Member member) {
        return catchingUp.remove(member);
    }

    /** Sends the fragment to every member (holding it for those catching up). */
    void broadcast(Fragment fragment) {
        for (Group group : groups) {
            List<Member> members = group.members;
            if (!catchingUp.isEmpty()) {
                members = holdForCatchingUp(members, fragment);
            }
            if (members.isEmpty()) {
                continue;
            }
            if (group.writer == roomThread) {
                sendAll(members, fragment);
            } else if (group.backlog.get() >= MAX_BACKLOG) {
                Meters.slowConsumersClosed(Meters.SlowConsumer.EVENT_LOOP, members.size());
                log.warn("{}: {} broadcasts waiting for another thread; closing its {} members with 1013",
                        room, group.backlog.get(), members.size());
                List.copyOf(members).forEach(member -> member.close(Member.CloseReason.TOO_SLOW));
            } else {
                // a copy: the member list may change on this thread while the other thread sends
                Member[] targets = members.toArray(new Member[0]);
                group.backlog.incrementAndGet();
                group.writer.execute(() -> {
                    group.backlog.decrementAndGet();
                    sendAll(Arrays.asList(targets), fragment);
                });
            }
        }
    }

    private List<Member> holdForCatchingUp(List<Member> members, Fragment fragment) {
        List<Member> ready = new ArrayList<>(members.size());
        for (Member member : members) {
            List<Fragment> held = catchingUp.get(member);
            if (held != null) {
                held.add(fragment);
            } else {
                ready.add(member);
            }
        }
        return ready;
    }

    private static void sendAll(List<Member> members, Fragment fragment) {
        for (int i = 0, n = members.size(); i < n; i++) {
            members.get(i).send(fragment);
        }
    }
}
