package chatroom.room;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chat room while it is awake: the only writer of its messages. Events from its members arrive
 * here one at a time on the room's thread (see {@link RoomHost}); it validates each message, stores it,
 * and once the store has committed it (and so given it its sequence number) renders it once and sends
 * the same bytes to every member. No locks: everything here runs on the room's thread.
 *
 * <p>A joining or reconnecting member first gets what it missed from the store, then live messages.
 * Live messages that arrive while its history is being read are held for it and sent after, skipping
 * any that the history already held, so that each member sees every message once, in seq order.
 *
 * <p>The room holds nothing that cannot be rebuilt from its members and the store, which is why its
 * host may drop it when idle and make a new one on the next event.
 */
final class Room {

    private static final Logger log = LoggerFactory.getLogger(Room.class);

    /**
     * Most broadcasts one room may have waiting for another thread. Past it, that thread is not
     * keeping up (an overloaded server), and its share of the members is disconnected rather than
     * let the queue, and the memory, grow without bound.
     */
    static final int MAX_BACKLOG = 4096;

    private final RoomHost host;
    private final MessageStore messages;
    private final RoomViews views;
    private final RoomSettings settings;
    private final Clock clock;

    /** Members whose history is still being read, with the fragments held back for them meanwhile. */
    private final Map<Connection, List<Fragment>> catchingUp = new HashMap<>();
    /** Who is here: each user once, with how many sockets they have open. */
    private final Map<String, Presence> presence = new LinkedHashMap<>();

    private final List<String> joined = new ArrayList<>();
    private final List<String> left = new ArrayList<>();
    private boolean presenceUpdateScheduled;

    /**
     * The room's newest messages, oldest first, exactly as broadcast: a gap-free run ending at {@link
     * #recentUpTo}, at most {@code historyMessages} long. Null until a read of the latest history
     * shows where the run starts. Joins and reconnects it covers are served from here, without the
     * store, which is what keeps a crowd of joins cheap.
     */
    private ArrayDeque<Message> recent;
    private long recentUpTo;
    /** {@link #recent} rendered as a first join's history, kept until the next message: a crowd joining renders it once. */
    private Fragment recentRendered;
    /** The newest seq broadcast since the room woke up, 0 if none. */
    private long lastBroadcastSeq;

    private long lastEventNanos = System.nanoTime();
    /** Store calls not yet answered; the room must stay awake until they are. */
    private int pendingWork;
    /** Timestamps only move forward within a room, even if the wall clock steps back. */
    private Instant lastSentAt = Instant.EPOCH;

    private static final class Presence {
        Author author;
        int sockets;

        Presence(Author author) {
            this.author = author;
        }
    }

    Room(RoomHost host, MessageStore messages, RoomViews views, RoomSettings settings, Clock clock) {
        this.host = host;
        this.messages = messages;
        this.views = views;
        this.settings = settings;
        this.clock = clock;
        // a room that wakes up rebuilds who is here from the sockets that stayed open while it slept
        for (Connection member : host.members()) {
            presence.computeIfAbsent(member.author().id(), id -> new Presence(member.author())).sockets++;
        }
    }

    // ---- events from members

    /**
     * A new member: sends it what it missed, then live messages. {@code afterSeq} is the last seq the
     * page already shows, or a negative number for a page that shows nothing yet.
     */
    void join(Connection member, long afterSeq) {
        touch();
        host.add(member);
        if (recentCovers(afterSeq)) {
            sendRecent(member, afterSeq);
        } else {
            catchUpFromStore(member, afterSeq);
        }
        Presence here = presence.computeIfAbsent(member.author().id(), id -> new Presence(member.author()));
        if (here.sockets++ == 0) {
            joined.add(member.author().name());
            presenceChanged();
        }
    }

    private boolean recentCovers(long afterSeq) {
        if (recent == null) {
            return false;
        }
        if (afterSeq >= recentUpTo) {
            return true; // nothing missed
        }
        long first = recent.isEmpty() ? recentUpTo + 1 : recent.peekFirst().seq();
        if (afterSeq >= 0) {
            return afterSeq >= first - 1;
        }
        return recent.size() == settings.historyMessages() || first == 1;
    }

    private void sendRecent(Connection member, long afterSeq) {
        if (afterSeq >= recentUpTo) {
            return;
        }
        List<Message> list = new ArrayList<>(recent.size());
        for (Message m : recent) {
            if (m.seq() > afterSeq) {
                list.add(m);
            }
        }
        boolean replace = afterSeq < 0;
        long olderBefore = list.isEmpty() || list.get(0).seq() <= 1 ? 0 : list.get(0).seq();
        if (!replace) {
            member.send(views.history(list, false, olderBefore));
            return;
        }
        if (recentRendered == null) {
            recentRendered = views.history(list, true, olderBefore);
        }
        member.send(recentRendered);
    }

    private void catchUpFromStore(Connection member, long afterSeq) {
        catchingUp.put(member, new ArrayList<>());
        pendingWork++;
        catchUp(afterSeq).whenComplete((history, error) -> host.run(room -> room.caughtUp(member, afterSeq, history, error)));
    }

    void leave(Connection member) {
        touch();
        if (!host.remove(member)) {
            return;
        }
        catchingUp.remove(member);
        Presence here = presence.get(member.author().id());
        if (here != null && --here.sockets == 0) {
            presence.remove(member.author().id());
            left.add(here.author.name());
            presenceChanged();
        }
    }

    void say(Connection member, String rawText) {
        touch();
        String text;
        try {
            text = MessageText.clean(rawText, settings.maxMessageChars());
        } catch (InvalidInputException e) {
            member.send(views.error(e.getMessage()));
            return;
        }
        Author author = member.author();
        Instant now = clock.instant();
        lastSentAt = now.isAfter(lastSentAt) ? now : lastSentAt;
        pendingWork++;
        messages.append(new NewMessage(host.name.value(), author.id(), author.name(), text, lastSentAt))
                .whenComplete((message, error) -> host.run(room -> room.stored(member, message, error)));
    }

    void rename(String userId, String newName) {
        touch();
        Presence here = presence.get(userId);
        if (here == null || here.author.name().equals(newName)) {
            return;
        }
        String oldName = here.author.name();
        here.author = here.author.renamed(newName);
        for (Connection member : host.members()) {
            if (member.author().id().equals(userId)) {
                member.rename(here.author);
            }
        }
        broadcast(views.notice(oldName + " is now " + newName));
        presenceChanged();
    }

    /** True when the room has had no event for {@code idleNanos} and waits for nothing: it may sleep. */
    boolean canSleep(long nowNanos, long idleNanos) {
        return pendingWork == 0 && !presenceUpdateScheduled && nowNanos - lastEventNanos >= idleNanos;
    }

    // ---- answers from the store

    private void stored(Connection sender, Message message, Throwable error) {
        pendingWork--;
        if (error != null) {
            log.warn("{}: message from {} not stored: {}", host.name, sender.author().id(), error.toString());
            sender.send(views.error("Your message was not sent: the server could not store it. Please try again."));
            return;
        }
        remember(message);
        broadcast(views.message(message));
    }

    /** Keeps the run of recent messages going, or drops it if this message does not continue it. */
    private void remember(Message message) {
        lastBroadcastSeq = message.seq();
        recentRendered = null;
        if (recent == null) {
            return;
        }
        if (message.seq() != recentUpTo + 1) {
            recent = null;
            return;
        }
        recent.addLast(message);
        recentUpTo = message.seq();
        if (recent.size() > settings.historyMessages()) {
            recent.removeFirst();
        }
    }

    /**
     * Starts the run of recent messages from a read of the latest history, if nothing newer than that
     * read has been broadcast meanwhile (then the run would have a hole).
     */
    private void adoptRecent(List<Message> latest) {
        long upTo = latest.isEmpty() ? 0 : latest.get(latest.size() - 1).seq();
        if (recent == null && lastBroadcastSeq <= upTo) {
            recent = new ArrayDeque<>(latest);
            recentUpTo = upTo;
            while (recent.size() > settings.historyMessages()) {
                recent.removeFirst();
            }
        }
    }

    private CompletableFuture<Catchup> catchUp(long afterSeq) {
        String room = host.name.value();
        if (afterSeq < 0) {
            return messages.before(room, Long.MAX_VALUE, settings.historyMessages()).thenApply(Catchup::replace);
        }
        // ask for one more than the limit to learn whether the gap is too big to replay
        return messages.after(room, afterSeq, settings.replayLimit() + 1).thenCompose(missed -> {
            if (missed.size() <= settings.replayLimit()) {
                return CompletableFuture.completedFuture(new Catchup(missed, false));
            }
            return messages.before(room, Long.MAX_VALUE, settings.historyMessages()).thenApply(Catchup::replace);
        });
    }

    private record Catchup(List<Message> messages, boolean replace) {
        static Catchup replace(List<Message> messages) {
            return new Catchup(messages, true);
        }
    }

    private void caughtUp(Connection member, long afterSeq, Catchup history, Throwable error) {
        pendingWork--;
        List<Fragment> held = catchingUp.remove(member);
        if (held == null) {
            return; // left meanwhile
        }
        long shownUpTo = Math.max(afterSeq, 0);
        if (error != null) {
            log.warn("{}: history for {} not read: {}", host.name, member.author().id(), error.toString());
            member.send(views.error("History could not be loaded; new messages will still appear."));
        } else {
            List<Message> list = history.messages();
            if (history.replace()) {
                adoptRecent(list);
            }
            if (history.replace() || !list.isEmpty()) {
                long olderBefore = list.isEmpty() || list.get(0).seq() <= 1 ? 0 : list.get(0).seq();
                member.send(views.history(list, history.replace(), olderBefore));
            }
            if (history.replace() && afterSeq >= 0 && !list.isEmpty() && list.get(0).seq() > afterSeq + 1) {
                long missed = list.get(0).seq() - afterSeq - 1;
                member.send(views.notice("You missed " + missed + " messages while disconnected; load older messages above to read them."));
            }
            if (!list.isEmpty()) {
                shownUpTo = Math.max(shownUpTo, list.get(list.size() - 1).seq());
            }
        }
        for (Fragment fragment : held) {
            if (fragment.seq() == 0 || fragment.seq() > shownUpTo) {
                member.send(fragment);
            }
        }
    }

    // ---- fan-out

    /**
     * Sends the fragment to every member: directly to those whose sockets write on the room's own
     * thread, and in one task per other thread for the rest, so a broadcast costs a handful of thread
     * hand-offs rather than one per member. Members still catching up get it held for later.
     */
    private void broadcast(Fragment fragment) {
        for (RoomHost.MemberGroup group : host.groups) {
            List<Connection> members = group.members;
            if (!catchingUp.isEmpty()) {
                members = holdForCatchingUp(members, fragment);
            }
            if (members.isEmpty()) {
                continue;
            }
            if (group.executor == host.executor) {
                sendAll(members, fragment);
            } else if (group.backlog.get() >= MAX_BACKLOG) {
                // that thread cannot keep up with this room: rather than queue without bound, let its
                // members go; they reconnect (1013) and catch up from the store
                log.warn("{}: {} broadcasts waiting for another thread; closing its {} members with 1013",
                        host.name, group.backlog.get(), members.size());
                List.copyOf(members).forEach(member -> member.close(Connection.CloseReason.TOO_SLOW));
            } else {
                // a copy: the member list may change on this thread while the other thread sends
                Connection[] targets = members.toArray(new Connection[0]);
                group.backlog.incrementAndGet();
                group.executor.execute(() -> {
                    group.backlog.decrementAndGet();
                    sendAll(Arrays.asList(targets), fragment);
                });
            }
        }
    }

    private List<Connection> holdForCatchingUp(List<Connection> members, Fragment fragment) {
        List<Connection> ready = new ArrayList<>(members.size());
        for (Connection member : members) {
            List<Fragment> held = catchingUp.get(member);
            if (held != null) {
                held.add(fragment);
            } else {
                ready.add(member);
            }
        }
        return ready;
    }

    private static void sendAll(List<Connection> members, Fragment fragment) {
        for (int i = 0, n = members.size(); i < n; i++) {
            members.get(i).send(fragment);
        }
    }

    /** Gathers presence changes for a short while, then sends one update for all of them. */
    private void presenceChanged() {
        host.people = presence.size();
        if (presenceUpdateScheduled) {
            return;
        }
        presenceUpdateScheduled = true;
        host.executor.schedule(
                () -> host.run(Room::sendPresence), settings.presenceDelay().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sendPresence() {
        presenceUpdateScheduled = false;
        if (!joined.isEmpty()) {
            broadcast(views.notice(Names.listed(joined) + " joined"));
            joined.clear();
        }
        if (!left.isEmpty()) {
            broadcast(views.notice(Names.listed(left) + " left"));
            left.clear();
        }
        List<Author> here = new ArrayList<>(presence.size());
        for (Presence p : presence.values()) {
            here.add(p.author);
        }
        broadcast(views.presence(here));
    }

    private void touch() {
        lastEventNanos = System.nanoTime();
    }
}
