package chatroom.room;

import chatroom.metrics.Meters;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chat room while it is awake: the only writer of its messages on this node. Its {@link RoomHost}
 * passes it the members' events one at a time, on the room's thread. A message is checked here, then
 * appended to the {@link MessageStore}, which numbers it in the transaction that stores it; once
 * committed it is published on the {@link MessageFeed}, and comes back through the room's {@link
 * RoomCursor} to {@link #deliver}, the one path by which messages reach members, whether written on
 * this node or another. A message that cannot be stored is reported to its sender alone.
 *
 * <p>A joining or reconnecting member first gets what it missed (from the {@link RecentMessages} run
 * when that covers it, otherwise from the store), then live messages: live ones that arrive while its
 * history is being read are held for it and sent after, skipping any the history already held.
 *
 * <p>Who is here: the room tells the {@link PresenceBoard} when a user's first socket on this node
 * opens and their last one closes ({@link UsersHere}); the board tells the room, on every node, who
 * joined, left or took a new name, and the room gathers those changes for {@code presenceDelay} into
 * one update for its members.
 *
 * <p>Everything here can be rebuilt from the members and the store, which is why the host drops the
 * room when it is idle and makes a new one on the next event. No locks: the room's thread only.
 */
final class Room {

    private static final Logger log = LoggerFactory.getLogger(Room.class);

    private final RoomHost host;
    private final Members members;
    private final RoomCursor cursor;
    private final MessageStore messages;
    private final MessageFeed feed;
    private final PresenceBoard board;
    private final RoomViews views;
    private final RoomSettings settings;
    private final Clock clock;
    private final CatchUps catchUps;

    private final UsersHere usersHere;
    private final RecentMessages recent;
    /** The run of recent messages rendered as a first join's history, kept until the next message. */
    private Fragment recentRendered;
    /** Appends not yet answered, oldest first (a room's appends complete in call order): see {@link #sendingDue}. */
    private final ArrayDeque<Sending> sending = new ArrayDeque<>();
    /** The timer of the oldest unanswered sender's deadline, or null. */
    private ScheduledFuture<?> sendingCheck;

    private long lastEventNanos = System.nanoTime();
    /** History reads not yet answered; the room stays awake until they are. */
    private int readsPending;
    /**
     * Messages handed to the store and not yet published (or reported as not stored). Counted down on the
     * store's thread; while any is on its way the room stays awake and its host subscribed.
     */
    private final AtomicInteger storing = new AtomicInteger();
    /** Whether a read of the latest page, for a member showing nothing yet, is under way. */
    private boolean latestReadPending;
    /** Members showing nothing yet who joined while that read was under way; served from its result. */
    private final List<LatestWaiter> waitingForLatest = new ArrayList<>();
    private boolean presenceUpdateScheduled;
    /**
     * Presence updates go out at least this many {@code presenceDelay}s apart (1 s by default): a crowd of
     * 100 arriving over 20 s then costs each member ~20 updates instead of one per arrival, each a whole
     * list of who is here. A change after a quiet spell still goes out after one delay.
     */
    static final int PRESENCE_SPACING_DELAYS = 5;
    /** When the last presence update went out; long ago for a room that has sent none. */
    private long lastPresenceUpdateNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    /** Presence changes gathered for the next update. */
    private final List<Author> joined = new ArrayList<>();
    private final List<Author> left = new ArrayList<>();
    private final List<PresenceBoard.Rename> renamed = new ArrayList<>();
    /** Times only move forward within a room, even if the wall clock steps back. */
    private Instant lastSentAt = Instant.EPOCH;

    Room(RoomHost host, Members members, RoomCursor cursor, RoomHost.Services services) {
        this.host = host;
        this.members = members;
        this.cursor = cursor;
        this.messages = services.messages();
        this.feed = services.feed();
        this.board = services.board();
        this.views = services.views();
        this.settings = services.settings();
        this.clock = services.clock();
        this.catchUps = services.catchUps();
        this.usersHere = new UsersHere(members.all());
        this.recent = new RecentMessages(settings.historyMessages());
    }

    // ---- events from members

    /**
     * A new member: sends it what it missed, then live messages. {@code afterSeq} is the last seq its
     * page shows, or negative for a page that shows nothing yet.
     */
    void join(Member member, long afterSeq) {
        touch();
        // added only now that the room is awake: a waking room counts the members already here
        members.add(member);
        if (recent.covers(afterSeq)) {
            sendRecent(member, afterSeq);
        } else {
            catchUpFromStore(member, afterSeq);
        }
        if (usersHere.arrived(member.author())) {
            board.arrived(host.name().value(), member.author());
        }
        // the newcomer needs the list now, even when nobody new arrived (a second tab, a user already
        // here through another node) and no update for everyone follows
        readsPending++;
        board.here(host.name().value()).whenComplete((here, error) -> host.run(room -> room.showHere(member, here, error)));
    }

    /** A member whose socket closed. */
    void leave(Member member) {
        touch();
        if (members.remove(member) && usersHere.departed(member.author())) {
            board.departed(host.name().value(), member.author());
        }
    }

    void say(Member member, String rawText, String clientId) {
        touch();
        String text;
        try {
            text = MessageText.clean(rawText, settings.maxMessageChars());
        } catch (InvalidInputException e) {
            members.send(member, views.notSent(e.getMessage(), clientId, 0));
            return;
        }
        Author author = member.author();
        Instant now = clock.instant();
        lastSentAt = now.isAfter(lastSentAt) ? now : lastSentAt;
        Sending answer = new Sending(member, clientId, System.nanoTime());
        forgetAnswered();
        sending.add(answer);
        scheduleSendingCheck();
        storing.incrementAndGet();
        messages.append(new NewMessage(host.name().value(), author.id(), author.name(), text, lastSentAt, clientId))
                .whenComplete((message, error) -> {
                    // on the store's thread: publish at once; members get it through the feed. A message
                    // whose sender was told "not sent" at the deadline is published all the same: it is
                    // stored, so every member must see it, and its page takes it as sent by its client id
                    try {
                        if (error == null) {
                            answer.set(true);
                            feed.publish(message);
                        } else if (answer.compareAndSet(false, true)) {
                            // the store logs each failed batch with its reason; a line per message would flood the log
                            log.debug("{}: message from {} not stored: {}", host.name(), author.id(), error.toString());
                            member.send(views.notSent(NOT_STORED, clientId, 0));
                        }
                    } finally {
                        storing.decrementAndGet(); // after the publish: the host was subscribed while it ran
                    }
                });
    }

    static final String NOT_STORED = "Your message was not sent: the server could not store it. Please try again.";

    /**
     * One append waiting for the store, and whether its sender has had an answer: the commit, the store's
     * failure, or the deadline ({@link RoomSettings#storeTimeout}), whichever came first. The commit and the
     * failure come on the store's thread, the deadline on the room's.
     */
    private static final class Sending extends AtomicBoolean {
        final Member member;
        final String clientId;
        final long sentNanos;

        Sending(Member member, String clientId, long sentNanos) {
            this.member = member;
            this.clientId = clientId;
            this.sentNanos = sentNanos;
        }
    }

    /** Drops the answered appends at the head: the rest of the queue is younger, and mostly unanswered. */
    private void forgetAnswered() {
        while (!sending.isEmpty() && sending.peekFirst().get()) {
            sending.pollFirst();
        }
    }

    private void scheduleSendingCheck() {
        if (sendingCheck != null || sending.isEmpty()) return;
        long dueNanos = sending.peekFirst().sentNanos + settings.storeTimeout().toNanos() - System.nanoTime();
        sendingCheck = host.executor().schedule(() -> host.run(Room::sendingDue), Math.max(0, dueNanos), TimeUnit.NANOSECONDS);
    }

    /**
     * Tells each sender whose message the store has not answered within the store timeout that it was not
     * sent (a database frozen, or unreachable with no error yet, leaves the writer waiting in a socket read
     * with nothing to report). One timer per room, for its oldest append, rather than one per message.
     */
    private void sendingDue() {
        sendingCheck = null;
        long now = System.nanoTime();
        long timeoutNanos = settings.storeTimeout().toNanos();
        while (!sending.isEmpty()) {
            Sending oldest = sending.peekFirst();
            if (!oldest.get() && now - oldest.sentNanos < timeoutNanos) break;
            sending.pollFirst();
            if (oldest.compareAndSet(false, true)) {
                log.debug("{}: message from {} not stored within {} ms; its sender is told it was not sent",
                        host.name(), oldest.member.author().id(), settings.storeTimeout().toMillis());
                Meters.storeTimedOut();
                members.send(oldest.member, views.notSent(notStoredInTime(), oldest.clientId, 0));
            }
        }
        scheduleSendingCheck();
    }

    private String notStoredInTime() {
        long seconds = Math.max(1, settings.storeTimeout().toSeconds());
        return "Your message was not sent: the server could not store it within " + seconds
                + (seconds == 1 ? " second" : " seconds") + ". Please try again.";
    }

    /** The user, renamed on this node; the board tells every node's room, this one included. */
    void rename(String userId, String newName) {
        touch();
        String oldName = usersHere.renamed(userId, newName);
        if (oldName != null) {
            Author renamed = usersHere.author(userId);
            renameMembers(renamed);
            board.renamed(host.name().value(), renamed, oldName);
        }
    }

    /** Who joined, left or was renamed, on any node: shown in the next presence update. */
    void presenceChanged(PresenceBoard.Change change) {
        touch();
        if (members.count() == 0) {
            // nobody here to tell (the change is most often this node's own last member leaving); whoever
            // joins next is shown who is here when joining. Gathering it would only keep an empty room awake
            return;
        }
        for (PresenceBoard.Rename rename : change.renamed()) {
            // a rename made on another node: this node's sockets of that user take the name too
            usersHere.renamed(rename.user().id(), rename.user().name());
            renameMembers(rename.user());
        }
        joined.addAll(change.joined());
        left.addAll(change.left());
        for (PresenceBoard.Rename rename : change.renamed()) {
            addRename(rename);
        }
        if (!presenceUpdateScheduled) {
            presenceUpdateScheduled = true;
            // a change after a quiet spell goes out after the delay; in a crowd arriving, changes keep
            // coming, and updates go out at most once per spacing: each is a frame for every member
            long delayNanos = settings.presenceDelay().toNanos();
            long sinceLastNanos = System.nanoTime() - lastPresenceUpdateNanos;
            long spacingNanos = PRESENCE_SPACING_DELAYS * delayNanos;
            if (sinceLastNanos < spacingNanos) {
                delayNanos = Math.max(delayNanos, spacingNanos - sinceLastNanos);
            }
            host.executor().schedule(() -> host.run(Room::sendPresence), delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Gathers a rename, merged with an earlier one of the same user in this update: however often a
     * user renames within one update, the room reads one notice, from the first name to the last.
     */
    private void addRename(PresenceBoard.Rename rename) {
        for (int i = 0; i < renamed.size(); i++) {
            PresenceBoard.Rename earlier = renamed.get(i);
            if (earlier.user().id().equals(rename.user().id())) {
                if (earlier.oldName().equals(rename.user().name())) {
                    renamed.remove(i); // renamed back: nothing to tell
                } else {
                    renamed.set(i, new PresenceBoard.Rename(rename.user(), earlier.oldName()));
                }
                return;
            }
        }
        renamed.add(rename);
    }

    private void renameMembers(Author renamed) {
        for (Member member : members.all()) {
            if (member.author().id().equals(renamed.id()) && !member.author().name().equals(renamed.name())) {
                member.rename(renamed);
            }
        }
    }

    /** A committed message, next in the room's order: to every member. */
    void deliver(Message message) {
        touch();
        recent.delivered(message);
        recentRendered = null;
        members.broadcast(views.message(message));
        Meters.delivered(members.count());
    }

    /** True when the room has had no event for {@code idleNanos} and waits for nothing: it may sleep. */
    boolean canSleep(long nowNanos, long idleNanos) {
        return waitsForNothing() && nowNanos - lastEventNanos >= idleNanos;
    }

    /**
     * True when no history or presence read is unanswered, no presence update is due, no message is on its
     * way to the store and no sender's deadline is pending: dropping the room now loses nothing. The host of
     * an empty room asks this.
     */
    boolean waitsForNothing() {
        forgetAnswered(); // a sender not yet answered keeps the room awake until the store or the deadline answers
        if (sending.isEmpty() && sendingCheck != null) {
            // every sender has its answer: the deadline would find nothing to do, and firing on a room gone
            // from memory it would bring the room back for nobody
            sendingCheck.cancel(false);
            sendingCheck = null;
        }
        return readsPending == 0 && !presenceUpdateScheduled && storing.get() == 0 && sending.isEmpty();
    }

    // ---- catching up

    private void sendRecent(Member member, long afterSeq) {
        List<Message> missed = recent.after(afterSeq);
        if (afterSeq >= 0) {
            if (!missed.isEmpty()) {
                members.send(member, views.history(missed, false));
            }
            return;
        }
        if (recentRendered == null) {
            recentRendered = views.history(missed, true);
        }
        members.send(member, recentRendered);
    }

    private void catchUpFromStore(Member member, long afterSeq) {
        members.catchingUp(member);
        readsPending++;
        // Every message delivered from now on is held for the member, so what it missed ends here, at the
        // room's position now, however late the read runs (a starved reader, a turn long in coming). Read
        // up to the newest message instead, a late read would return a "latest page" that begins after
        // messages already held for the member, and those would never be sent: its own among them.
        long joinedAt = cursor.position();
        if (afterSeq < 0) {
            if (latestReadPending) {
                // one read of the latest page serves every page arriving meanwhile: a crowd joining a room
                // whose latest messages are not in memory costs one read, not one per arrival each waiting
                // for a turn of the node's catch-up limit (minutes, in a storm of thousands)
                waitingForLatest.add(new LatestWaiter(member, joinedAt));
                return;
            }
            latestReadPending = true;
        }
        startRead(member, afterSeq, joinedAt);
    }

    private void startRead(Member member, long afterSeq, long joinedAt) {
        // read at once when the node's limit allows, else when a running catch-up finishes
        if (catchUps.startNowOr(() -> host.run(room -> room.readMissed(member, afterSeq, joinedAt)))) {
            readMissed(member, afterSeq, joinedAt);
        }
    }

    /** A member showing nothing yet, waiting for the read of the latest page another member started. */
    private record LatestWaiter(Member member, long joinedAt) {}

    /**
     * The read of the latest page has ended (read, failed, or its member left before its turn): serve who
     * waited for it from the run of recent messages it let the room know, or let the next of them read.
     */
    private void latestReadEnded() {
        latestReadPending = false;
        List<LatestWaiter> waiters = new ArrayList<>(waitingForLatest);
        waitingForLatest.clear();
        for (LatestWaiter waiter : waiters) {
            Member member = waiter.member();
            if (!members.isCatchingUp(member)) {
                readsPending--; // left meanwhile
                continue;
            }
            List<Message> page = recent.latestUpTo(waiter.joinedAt());
            if (page != null) {
                // as if its own read had returned that page: the same history, then what was held for it
                sendMissed(member, -1, Missed.latest(page), null);
            } else if (!latestReadPending) {
                latestReadPending = true;
                startRead(member, -1, waiter.joinedAt());
            } else {
                waitingForLatest.add(waiter);
            }
        }
    }

    /** The member's turn to catch up has come (see {@link CatchUps}); it may have left while it waited. */
    private void readMissed(Member member, long afterSeq, long joinedAt) {
        if (!members.isCatchingUp(member)) {
            readsPending--;
            catchUps.finished();
            if (afterSeq < 0) {
                latestReadEnded();
            }
            return;
        }
        readMissed(afterSeq, joinedAt)
                .whenComplete((history, error) -> host.run(room -> room.caughtUp(member, afterSeq, history, error)));
    }

    /** What a member joining when the room stood at {@code joinedAt} missed: nothing after {@code joinedAt}. */
    private CompletableFuture<Missed> readMissed(long afterSeq, long joinedAt) {
        String room = host.name().value();
        if (afterSeq < 0) {
            return latest(room, joinedAt);
        }
        // ask for one more than the limit to learn whether the gap is too big to replay
        return messages.after(room, afterSeq, settings.replayLimit() + 1).thenCompose(read -> {
            List<Message> missed = read.stream().filter(m -> m.seq() <= joinedAt).toList();
            if (missed.size() <= settings.replayLimit()) {
                return CompletableFuture.completedFuture(new Missed(missed, false));
            }
            return latest(room, joinedAt);
        });
    }

    /** The latest page up to {@code joinedAt}: the messages after it reach the member live. */
    private CompletableFuture<Missed> latest(String room, long joinedAt) {
        return messages.before(room, joinedAt + 1, settings.historyMessages()).thenApply(Missed::latest);
    }

    /** What a member missed: either the messages after its page's last one, or the latest page instead. */
    private record Missed(List<Message> messages, boolean latest) {
        static Missed latest(List<Message> messages) {
            return new Missed(messages, true);
        }
    }

    private void caughtUp(Member member, long afterSeq, Missed history, Throwable error) {
        try {
            sendMissed(member, afterSeq, history, error);
        } finally {
            // only now: what was read for this member has been rendered and queued for its socket
            catchUps.finished();
            if (afterSeq < 0) {
                latestReadEnded();
            }
        }
    }

    private void sendMissed(Member member, long afterSeq, Missed history, Throwable error) {
        readsPending--;
        List<Fragment> held = members.caughtUp(member);
        if (held == null) {
            return; // left meanwhile
        }
        long shownUpTo = Math.max(afterSeq, 0);
        if (error != null) {
            log.warn("{}: history for {} not read: {}", host.name(), member.author().id(), error.toString());
            members.send(member, views.error("History could not be loaded; new messages will still appear."));
        } else {
            // the read ends where the room stood when the member joined (catchUpFromStore): nothing in it is
            // among the held messages, nor beyond what this node has delivered
            List<Message> list = history.messages();
            if (history.latest()) {
                recent.adopt(list, cursor.position());
            }
            if (history.latest() || !list.isEmpty()) {
                members.send(member, views.history(list, history.latest()));
            }
            if (history.latest() && afterSeq >= 0 && !list.isEmpty() && list.getFirst().seq() > afterSeq + 1) {
                long missed = list.getFirst().seq() - afterSeq - 1;
                members.send(member, views.notice("You missed " + missed
                        + " messages while disconnected; load older messages above to read them."));
            }
            if (!list.isEmpty()) {
                shownUpTo = Math.max(shownUpTo, list.getLast().seq());
            }
        }
        for (Fragment fragment : held) {
            if (fragment.seq() == 0 || fragment.seq() > shownUpTo) {
                members.send(member, fragment);
            }
        }
    }

    // ---- presence

    private void sendPresence() {
        presenceUpdateScheduled = false;
        lastPresenceUpdateNanos = System.nanoTime();
        if (!joined.isEmpty()) {
            members.broadcast(views.usersNotice(names(joined), "joined"));
            joined.clear();
        }
        if (!left.isEmpty()) {
            members.broadcast(views.usersNotice(names(left), "left"));
            left.clear();
        }
        for (PresenceBoard.Rename rename : renamed) {
            members.broadcast(views.renameNotice(rename.oldName(), rename.user().name()));
        }
        renamed.clear();
        readsPending++;
        board.here(host.name().value()).whenComplete((here, error) -> host.run(room -> room.showHere(null, here, error)));
    }

    /** Shows who is here to one member ({@code to}), or to every member when {@code to} is null. */
    private void showHere(Member to, List<Author> here, Throwable error) {
        readsPending--;
        if (error != null) {
            log.warn("{}: who is here could not be read: {}", host.name(), error.toString());
            return;
        }
        if (to == null) {
            members.broadcast(views.presence(here));
        } else if (members.contains(to)) {
            members.send(to, views.presence(here));
        }
    }

    private static List<String> names(List<Author> users) {
        List<String> names = new ArrayList<>(users.size());
        for (Author user : users) {
            names.add(user.name());
        }
        return names;
    }

    private void touch() {
        lastEventNanos = System.nanoTime();
    }
}
