package chatroom.room;

import chatroom.metrics.Meters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The members of one room and how fragments reach them. Members are grouped by the thread their socket
 * writes on, and each group has one queue of fragments waiting to be written. Whatever the room sends in
 * one turn of its thread — a broadcast, or a fragment for one member — goes into that queue, in order;
 * the first fragment into an empty queue posts one task to the group's thread, and that task writes
 * everything queued by then. Fragments for the same members that wait together are joined into one
 * WebSocket frame, encoded once and written once per member ({@link Fragment#join}); the page's htmx swaps
 * every element of a frame in order. The members on the room's own thread are written at the end of the
 * room's task ({@link #flush}), the others when their thread runs the posted write. A quiet room thus
 * sends each message in its own frame at once (no timer), and a busy one sends fewer, larger frames: at
 * most one per member per turn of the group's thread, unless a frame would pass {@link #MAX_FRAME_BYTES}.
 *
 * <p>A member that is catching up (its history is being read) is skipped by broadcasts: the fragments
 * are held for it instead, and handed back by {@link #caughtUp} so that it sees every message once, in
 * order, after its history.
 *
 * <p>Backlog: a queue for another thread may hold at most {@code maxBacklogBytes} of fragments. Past that
 * the thread is not keeping up (an overloaded server), and its share of the members is closed with 1013
 * rather than let the queue, and the memory, grow without bound; they reconnect and catch up. The room's
 * own thread writes its queue as soon as the current task ends, so its queue is not bounded.
 *
 * <p>Threading: owned by the room's thread (its {@link RoomHost}); everything but the writing of a queue,
 * which runs on the group's thread, runs there. A group's queue is the one state both threads touch; it
 * is guarded by the group's lock, held only to add a fragment or to take the whole queue. It outlives
 * the {@link Room} object, which sleeps while members stay.
 */
final class Members {

    private static final Logger log = LoggerFactory.getLogger(Members.class);

    /** Most bytes of fragments of one room that may wait for another thread before its members there are closed. */
    static final int MAX_BACKLOG_BYTES = 4 * 1024 * 1024;
    /**
     * Most bytes of HTML joined into one frame: well under what WebSocket clients accept by default (64 KiB
     * in Netty's client), and large enough that a busy room's turn rarely needs two. A single fragment
     * larger than this (a long history) still goes whole, alone in its frame.
     */
    static final int MAX_FRAME_BYTES = 32 * 1024;

    private final RoomName room;
    private final Executor roomThread;
    private final int maxBacklogBytes;
    private final List<Group> groups = new ArrayList<>();
    /** The group on the room's own thread, or null while it has none. */
    private Group own;
    private final Map<Member, List<Fragment>> catchingUp = new HashMap<>();
    private int count;

    Members(RoomName room, Executor roomThread) {
        this(room, roomThread, MAX_BACKLOG_BYTES);
    }

    Members(RoomName room, Executor roomThread, int maxBacklogBytes) {
        this.room = room;
        this.roomThread = roomThread;
        this.maxBacklogBytes = maxBacklogBytes;
    }

    void add(Member member) {
        Group group = groupOf(member.executor());
        if (group == null) {
            group = new Group(member.executor(), member.executor() != roomThread);
            groups.add(group);
            if (member.executor() == roomThread) {
                own = group;
            }
        }
        group.members.add(member);
        group.ready = null;
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
            group.ready = null;
            count--;
            catchingUp.remove(member);
            return true;
        }
        return false;
    }

    boolean contains(Member member) {
        Group group = groupOf(member.executor());
        return group != null && group.members.contains(member);
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
        changed(member);
    }

    boolean isCatchingUp(Member member) {
        return catchingUp.containsKey(member);
    }

    /**
     * Ends the member's catching up: the fragments held for it meanwhile, in broadcast order, or null
     * if it left meanwhile.
     */
    List<Fragment> caughtUp(Member member) {
        List<Fragment> held = catchingUp.remove(member);
        changed(member);
        return held;
    }

    /** Sends the fragment to every member (holding it for those catching up). */
    void broadcast(Fragment fragment) {
        for (List<Fragment> held : catchingUp.values()) {
            held.add(fragment);
        }
        for (Group group : groups) {
            Member[] ready = group.ready(catchingUp);
            if (ready.length > 0) {
                queue(group, ready, fragment);
            }
        }
    }

    /**
     * Sends the fragment to one member, after whatever the room queued for it before: a member's history
     * and the broadcasts around it arrive in the order the room sent them. A member that left is sent it
     * directly (its closed socket drops it).
     */
    void send(Member member, Fragment fragment) {
        Group group = groupOf(member.executor());
        if (group == null || !group.members.contains(member)) {
            member.send(fragment);
            return;
        }
        queue(group, new Member[] {member}, fragment);
    }

    /**
     * Writes what waits for the members on the room's own thread now: called at the end of a room task,
     * so that they get what the task sent as soon as it ends, as the other threads' members do when their
     * thread picks up the write posted for them. The posted write then finds nothing left.
     */
    void flush() {
        if (own != null && own.hasQueued()) {
            own.write();
        }
    }

    private void queue(Group group, Member[] targets, Fragment fragment) {
        Added added = group.add(targets, fragment, maxBacklogBytes);
        if (added == Added.OVER) { // the first refusal since the thread last caught up; later ones only close
            Meters.slowConsumersClosed(Meters.SlowConsumer.EVENT_LOOP, targets.length);
            log.warn("{}: {} bytes waiting for another thread; closing its {} members with 1013",
                    room, group.backlogBytes(), targets.length);
        }
        switch (added) {
            case QUEUED -> {}
            case FIRST -> group.writer.execute(group::write);
            case OVER, OVER_AGAIN -> { // they reconnect and catch up
                for (Member member : targets) {
                    member.close(Member.CloseReason.TOO_SLOW);
                }
            }
        }
    }

    private Group groupOf(Executor writer) {
        for (Group group : groups) {
            if (group.writer == writer) {
                return group;
            }
        }
        return null;
    }

    private void changed(Member member) {
        Group group = groupOf(member.executor());
        if (group != null) {
            group.ready = null;
        }
    }

    /** A fragment waiting in a group's queue, and the members it is for. */
    private record Queued(Member[] targets, Fragment fragment) {}

    private enum Added {
        /** Queued behind others: the write already posted will take it. */
        QUEUED,
        /** Queued first: the caller posts the write. */
        FIRST,
        /** Not queued: the backlog is over its limit. */
        OVER,
        /** Not queued, again, before the writer caught up: the members are closed already (or are new). */
        OVER_AGAIN
    }

    /** Members whose sockets write on one thread, and what waits to be written to them. */
    private static final class Group {
        final Executor writer;
        /** False for the room's own thread, whose queue empties as soon as the current task ends. */
        final boolean bounded;
        final List<Member> members = new ArrayList<>();
        /**
         * The members broadcasts go to (not catching up), shared by every queued fragment until the
         * members change, so that the fragments of a steady room join into one frame. Null when stale;
         * room thread only.
         */
        Member[] ready;

        // guarded by this: the room's thread adds, the writer's thread takes
        private List<Queued> queue = new ArrayList<>();
        private int queuedBytes;
        /** Set by the first refusal since the writer last took the queue: later ones close without a word. */
        private boolean overflowing;
        /** The writer thread's list, swapped with {@link #queue} when it takes the queue; empty between writes. */
        private List<Queued> taken = new ArrayList<>();

        Group(Executor writer, boolean bounded) {
            this.writer = writer;
            this.bounded = bounded;
        }

        Member[] ready(Map<Member, ?> catchingUp) {
            if (ready == null) {
                List<Member> notCatchingUp = new ArrayList<>(members.size());
                for (Member member : members) {
                    if (!catchingUp.containsKey(member)) {
                        notCatchingUp.add(member);
                    }
                }
                ready = notCatchingUp.toArray(new Member[0]);
            }
            return ready;
        }

        synchronized Added add(Member[] targets, Fragment fragment, int maxBacklogBytes) {
            int bytes = fragment.html().length;
            // an empty queue takes any fragment, however big (a long history): else it could never be sent
            if (bounded && !queue.isEmpty() && queuedBytes + bytes > maxBacklogBytes) {
                if (overflowing) {
                    return Added.OVER_AGAIN;
                }
                overflowing = true;
                return Added.OVER;
            }
            queue.add(new Queued(targets, fragment));
            queuedBytes += bytes;
            return queue.size() == 1 ? Added.FIRST : Added.QUEUED;
        }

        synchronized boolean hasQueued() {
            return !queue.isEmpty();
        }

        synchronized int backlogBytes() {
            return queuedBytes;
        }

        private synchronized List<Queued> take() {
            List<Queued> all = queue;
            queue = taken;
            taken = all;
            queuedBytes = 0;
            overflowing = false;
            return all;
        }

        /** On the writer's thread: writes everything queued, one frame per run of fragments for the same members. */
        void write() {
            List<Queued> all = take();
            try {
                int n = all.size();
                for (int start = 0; start < n; ) {
                    Member[] targets = all.get(start).targets();
                    int end = start + 1;
                    int bytes = all.get(start).fragment().html().length;
                    while (end < n && all.get(end).targets() == targets) {
                        bytes += all.get(end).fragment().html().length;
                        if (bytes > MAX_FRAME_BYTES) {
                            break;
                        }
                        end++;
                    }
                    Fragment frame = end - start == 1 ? all.get(start).fragment() : Fragment.join(fragments(all, start, end));
                    if (targets.length > 1) {
                        frame.markShared();
                    }
                    for (Member member : targets) {
                        member.send(frame);
                    }
                    start = end;
                }
            } finally {
                all.clear();
            }
        }

        private static List<Fragment> fragments(List<Queued> all, int start, int end) {
            List<Fragment> fragments = new ArrayList<>(end - start);
            for (int i = start; i < end; i++) {
                fragments.add(all.get(i).fragment());
            }
            return fragments;
        }
    }
}
