package chatroom.room;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts one room on this node: the room's thread, its {@link Members}, its {@link RoomCursor} on the
 * {@link MessageFeed}, and its {@link Room} while the room is awake. The host is what stays in memory
 * while a room sleeps: the sockets and the cursor, nothing more. The web layer calls {@link #join} and
 * {@link #leave} as sockets open and close, and {@link #handle} with what their members ask; each is
 * posted to the room's thread, waking the room if it sleeps.
 *
 * <p>A host with no members whose room waits for nothing is removed from {@link Rooms} within about
 * {@link #EMPTY_CHECK} of its last member leaving (or of its start, for a host nobody joined), whatever
 * {@code --room-idle} says: an empty room is worth nothing to keep, and a client that enters room after
 * room and leaves each at once would otherwise keep them all in memory (with their feed and presence
 * subscriptions) for the idle time. A room with members sleeps after the idle time, as before.
 *
 * <p>Threading: everything here is read and written only on the room's thread, which runs one task
 * at a time. An event that reaches a removed host (a race with a new join) is passed on to the room's
 * current host; what the feed or the board still brings a removed host is dropped (the current host, if
 * there is one, has subscriptions and a cursor of its own).
 */
public final class RoomHost {

    private static final Logger log = LoggerFactory.getLogger(RoomHost.class);

    /** How soon after its last member leaves an empty host looks whether it can go. */
    static final Duration EMPTY_CHECK = Duration.ofSeconds(1);

    private final RoomName name;
    private final ScheduledExecutorService executor;
    private final Rooms rooms;
    private final RoomServices services;
    private final Members members;
    private final RoomCursor cursor;
    /** Kept here, not in the room: the joins it may not have heard of outlast the room's sleeps. */
    private final UnheardJoins unheardJoins = new UnheardJoins();
    private final TypingNotices typists;
    /** Asked for typing only, which skips the room; the room has its own for everything else. */
    private final Permissions typingAllowed;

    /**
     * Events from the feed not yet offered to the cursor, and whether a task to offer them is posted: the
     * events of one store batch, completed one after another, are usually all here when the room's thread
     * gets to them, and go out to members as one frame rather than one each.
     */
    private final Queue<RoomEvent> arrived = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean offerPosted = new AtomicBoolean();

    /** Events that came before the cursor was known, in order; they go ahead once it is. */
    private List<Consumer<Room>> waiting = new ArrayList<>();
    private Room room;
    private boolean removed;
    private boolean emptyCheckScheduled;

    RoomHost(RoomName name, ScheduledExecutorService executor, Rooms rooms, RoomServices services) {
        this.name = name;
        this.executor = executor;
        this.rooms = rooms;
        this.services = services;
        this.members = new Members(name, executor);
        this.typists = new TypingNotices(members, services.views(), executor);
        this.typingAllowed = new Permissions(services.guests());
        this.cursor = new RoomCursor(
                name, services.messages(), executor, services.settings().holdEarly(), this::deliver, this::cursorStarted);
    }

    /** Subscribes to the room's events and finds where the room stands; events wait until it is known. */
    void start() {
        services.feed().subscribe(name.value(), new MessageFeed.Receiver() {
            @Override
            public void event(RoomEvent event) {
                arrived(event);
            }

            @Override
            public void signal(Signal signal) {
                signalled(signal);
            }
        });
        services.board().watch(name.value(), change -> signalled(new Signal.Presence(change)), this::presenceHeard);
        executor.execute(() -> {
            cursor.start();
            checkEmptyLater(); // a host nobody joins (the upgrade failed) goes too
        });
    }

    public RoomName name() {
        return name;
    }

    /**
     * Adds a member. It first gets the messages after {@code afterSeq} (the last one its page shows),
     * or the latest history when {@code afterSeq} is negative, then every new message.
     */
    public void join(Member member, long afterSeq) {
        run(room -> room.join(member, afterSeq));
    }

    /**
     * What a member asks the room to do: the one door for every kind of {@link Command}, whoever builds it.
     * Posted to the room's thread and judged there, waking the room if it sleeps.
     */
    public void handle(Member member, Command command) {
        switch (command) {
            // shown, never stored: it must not wake a sleeping room, nor cost it more than a frame a member
            case Command.Typing typing -> {
                if (typingAllowed.may(member.standing(), typing).allowed()) executor.execute(() -> typing(member));
            }
            case Command.Say say -> run(room -> room.handle(member, say));
            case Command.Edit edit -> run(room -> room.handle(member, edit));
            case Command.Delete delete -> run(room -> room.handle(member, delete));
            case Command.React react -> run(room -> room.handle(member, react));
            case Command.Unreact unreact -> run(room -> room.handle(member, unreact));
            case Command.Rename rename -> run(room -> room.handle(member, rename));
        }
    }

    /** On the room's thread: a member typing goes to every node's members (this node's through the feed too). */
    private void typing(Member member) {
        if (!removed && members.contains(member)) {
            services.feed().signal(name.value(), new Signal.Typing(member.author()));
        }
    }

    /** A member whose socket closed. */
    public void leave(Member member) {
        run(room -> room.leave(member));
    }

    /** Reads from the store whatever this node has not seen of the room, if its newest seq is beyond it. */
    void tailIs(long lastSeq) {
        executor.execute(() -> cursor.tailIs(lastSeq));
    }

    /** On the feed's thread. */
    private void arrived(RoomEvent event) {
        arrived.add(event);
        if (offerPosted.compareAndSet(false, true)) {
            executor.execute(this::offerArrived);
        }
    }

    private void offerArrived() {
        offerPosted.set(false); // before polling: a message added from now on posts a task of its own
        if (removed) {
            arrived.clear(); // posted before the unsubscribe; no member here is waiting for it
            return;
        }
        for (RoomEvent event; (event = arrived.poll()) != null; ) {
            cursor.offer(event);
        }
        members.flush(); // the whole batch, as one frame
    }

    // ---- for the room

    ScheduledExecutorService executor() {
        return executor;
    }

    /**
     * Runs a room event on the room's thread, waking the room first if it sleeps. Until the cursor is
     * known, events wait, in order, so that no member joins between the store and the feed. An event
     * that reaches a removed host goes to the room's current host, so events must reach the host's
     * state only through the {@link Room} they are given.
     */
    void run(Consumer<Room> event) {
        executor.execute(() -> handle(event));
    }

    private void handle(Consumer<Room> event) {
        if (removed) {
            rooms.get(name).run(event);
        } else if (!cursor.started()) {
            waiting.add(event);
        } else {
            try {
                event.accept(awakeRoom());
            } catch (RuntimeException e) {
                // one bad event must not take the room down for everyone else
                log.error("{}: event failed", name, e);
            }
            members.flush();
            if (members.count() == 0) {
                checkEmptyLater();
            }
        }
    }

    /**
     * On the feed's or the board's thread. A signal that reaches a host removed meanwhile goes to the room's
     * current host if there is one; with none, no member on this node is there to be told, and a new host's
     * first member reads who is here anyway. Passing it on through {@link #run} would make a host for nobody.
     */
    private void signalled(Signal signal) {
        executor.execute(() -> {
            if (removed) {
                RoomHost current = rooms.current(name);
                if (current != null) {
                    current.signalled(signal);
                }
            } else {
                switch (signal) {
                    case Signal.Typing typist -> typists.typing(typist.who()); // shown without the room
                    case Signal.Presence presence -> handle(room -> room.signal(presence));
                }
            }
        });
    }

    /**
     * On the board's thread: the board hears the room's changes from now on. If members were shown who is
     * here before, the room compares that with who is here now ({@link UnheardJoins}); a host removed
     * meanwhile has nobody to tell, and the current host has a watch of its own.
     */
    private void presenceHeard() {
        executor.execute(() -> {
            if (removed || !unheardJoins.heard()) {
                return;
            }
            if (members.count() > 0) {
                handle(room -> room.notices().heard());
            } else {
                unheardJoins.forget(); // those shown have left: waking the room would tell nobody
            }
        });
    }

    // ---- on the room's thread

    private Room awakeRoom() {
        if (room == null) {
            room = new Room(this, members, cursor, unheardJoins, services);
            rooms.woke(this);
        }
        return room;
    }

    private void deliver(RoomEvent event) {
        if (removed) {
            return; // a gap read that came back after the host went: nobody here to deliver to
        }
        if (event instanceof RoomEvent.Posted posted) {
            typists.posted(posted.message().authorId());
        }
        try {
            awakeRoom().deliver(event);
        } catch (RuntimeException e) {
            log.error("{}: delivering event {} failed", name, event.seq(), e);
        }
    }

    private void cursorStarted() {
        List<Consumer<Room>> events = waiting;
        waiting = new ArrayList<>();
        events.forEach(this::handle);
    }

    /** Lets an idle room sleep, and removes this host once it has neither room nor members. */
    void sweep(long nowNanos, long idleNanos) {
        executor.execute(() -> {
            if (removed) {
                return;
            }
            if (room != null && room.canSleep(nowNanos, idleNanos)) {
                room = null;
                rooms.slept(this);
            }
            removeIfEmpty();
        });
    }

    private void checkEmptyLater() {
        if (emptyCheckScheduled || removed) {
            return;
        }
        emptyCheckScheduled = true;
        executor.schedule(
                () -> {
                    emptyCheckScheduled = false;
                    if (removed || members.count() > 0) {
                        return; // a member came back: the idle time applies again
                    }
                    if (room != null && room.waitsForNothing()) {
                        room = null;
                        rooms.slept(this);
                    }
                    if (!removeIfEmpty()) {
                        checkEmptyLater(); // a read, a store write or a start still under way: look again
                    }
                },
                EMPTY_CHECK.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Removes this host if it has no members, its room sleeps and no event waits for the cursor. The order
     * matters: the feed and the board let go of the room before {@link Rooms} does, so that a new host for
     * the same room, made from then on, subscribes after this one has unsubscribed.
     */
    private boolean removeIfEmpty() {
        if (room != null || members.count() > 0 || !waiting.isEmpty() || !cursor.started()) {
            return false;
        }
        removed = true;
        services.feed().unsubscribe(name.value());
        services.board().unwatch(name.value());
        rooms.remove(this);
        return true;
    }
}
