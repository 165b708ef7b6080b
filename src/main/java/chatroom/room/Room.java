package chatroom.room;

import chatroom.metrics.Meters;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chat room while it is awake: the only writer of its events on this node. Its {@link RoomHost}
 * passes it the members' {@link Command}s one at a time, on the room's thread, through {@link #handle}:
 * each is judged ({@link Permissions#may}), then carried out. A message is checked here, then appended
 * to the {@link RoomLog}, which numbers it in the transaction that stores it; once committed it is
 * published on the {@link MessageFeed}, and comes back through the room's {@link RoomCursor} to {@link
 * #deliver}, the one path by which events reach members, whether written on this node or another. A
 * message that cannot be stored, or not in time ({@link SendDeadlines}), is reported to its sender alone.
 *
 * <p>A joining or reconnecting member first gets what it missed, then live events ({@link CatchUp}).
 *
 * <p>Who is here: the room tells the {@link PresenceBoard} when a user's first socket on this node
 * opens and their last one closes ({@link UsersHere}); the board tells the room, on every node, who
 * joined, left or took a new name (a {@link Signal}), and {@link PresenceNotices} shows it, including who
 * joined before the board could hear the room's changes here.
 *
 * <p>Everything here can be rebuilt from the members and the store, which is why the host drops the
 * room when it is idle and makes a new one on the next event. No locks: the room's thread only.
 */
final class Room {

    private static final Logger log = LoggerFactory.getLogger(Room.class);

    private final RoomHost host;
    private final Members members;
    private final PresenceBoard board;
    private final RoomViews views;
    private final RoomSettings settings;
    private final Permissions permissions;

    private final UsersHere usersHere;
    private final RecentMessages recent;
    private final CatchUp catchUp;
    private final PresenceNotices notices;
    private final SendDeadlines deadlines;
    private final RoomWrites writes;

    private long lastEventNanos = System.nanoTime();

    Room(RoomHost host, Members members, RoomCursor cursor, UnheardJoins unheardJoins, RoomServices services) {
        this.host = host;
        this.members = members;
        this.board = services.board();
        this.views = services.views();
        this.settings = services.settings();
        this.usersHere = new UsersHere(members.all());
        this.recent = new RecentMessages(settings.historyMessages());
        this.catchUp = new CatchUp(host, members, cursor, recent, services);
        this.notices = new PresenceNotices(host, members, unheardJoins, services);
        this.deadlines = new SendDeadlines(host, members, services);
        this.writes = new RoomWrites(host, members, deadlines, services);
        this.permissions = new Permissions(services.guests());
    }

    CatchUp catchUp() {
        return catchUp;
    }

    PresenceNotices notices() {
        return notices;
    }

    SendDeadlines deadlines() {
        return deadlines;
    }

    // ---- members coming and going

    /**
     * A new member: sends it what it missed, then live events. {@code afterSeq} is the last seq its page
     * shows, or negative for a page that shows nothing yet.
     */
    void join(Member member, long afterSeq) {
        touch();
        // added only now that the room is awake: a waking room counts the members already here
        members.add(member);
        catchUp.start(member, afterSeq);
        if (usersHere.arrived(member.author())) {
            board.arrived(host.name().value(), member.author());
        }
        notices.showHereTo(member);
    }

    /** A member whose socket closed. */
    void leave(Member member) {
        touch();
        if (members.remove(member) && usersHere.departed(member.author())) {
            board.departed(host.name().value(), member.author());
        }
    }

    // ---- what members ask

    /** What a member asks: judged, then carried out or refused to that member alone. */
    void handle(Member member, Command command) {
        touch();
        Permissions.Verdict verdict = permissions.may(member.standing(), command);
        if (!verdict.allowed()) {
            refuse(member, command, verdict.reason());
            return;
        }
        switch (command) {
            case Command.Say say -> writes.say(member, say.text(), say.clientId(), say.replyTo());
            case Command.Edit edit -> writes.edit(member, edit.target(), edit.text(), edit.clientId());
            case Command.Delete delete -> writes.delete(member, delete.target(), verdict.anyAuthor(), delete.clientId());
            case Command.React react -> writes.react(member, react.target(), react.emoji(), true, react.clientId());
            case Command.Unreact unreact -> writes.react(member, unreact.target(), unreact.emoji(), false, unreact.clientId());
            case Command.Rename rename -> rename(member.author().id(), rename.newName());
            case Command.Typing typing -> { } // the host passes it on without the room (RoomHost#handle)
        }
    }

    private void refuse(Member member, Command command, String reason) {
        switch (command) {
            case Command.Say say -> members.send(member, views.notSent(reason, say.clientId(), 0));
            case Command.Edit edit -> members.send(member, views.error(reason));
            case Command.Delete delete -> members.send(member, views.error(reason));
            case Command.React react -> members.send(member, views.error(reason));
            case Command.Unreact unreact -> members.send(member, views.error(reason));
            case Command.Rename rename -> members.send(member, views.error(reason));
            case Command.Typing typing -> { } // nothing to tell: typing is never refused aloud
        }
    }

    /** The user, renamed on this node; the board tells every node's room, this one included. */
    private void rename(String userId, String newName) {
        String oldName = usersHere.renamed(userId, newName);
        if (oldName != null) {
            Author renamed = usersHere.author(userId);
            renameMembers(renamed);
            board.renamed(host.name().value(), renamed, oldName);
        }
    }

    // ---- what the room is told

    /** Something to show that is not stored (who joined, left or took a new name, on any node). */
    void signal(Signal signal) {
        touch();
        switch (signal) {
            case Signal.Presence presence -> presenceChanged(presence.change());
            case Signal.Typing typing -> members.broadcast(views.typing(List.of(typing.who()))); // the host shows it, not waking the room
        }
    }

    private void presenceChanged(PresenceBoard.Change change) {
        if (members.count() == 0) {
            // nobody here to tell (the change is most often this node's own last member leaving); whoever
            // joins next is shown who is here when joining. Gathering it would only keep an empty room awake
            notices.forget();
            return;
        }
        for (PresenceBoard.Rename rename : change.renamed()) {
            // a rename made on another node: this node's sockets of that user take the name too
            usersHere.renamed(rename.user().id(), rename.user().name());
            renameMembers(rename.user());
        }
        notices.gather(change);
    }

    private void renameMembers(Author renamed) {
        for (Member member : members.all()) {
            if (member.author().id().equals(renamed.id()) && !member.author().name().equals(renamed.name())) {
                member.rename(renamed);
            }
        }
    }

    /** A committed event, next in the room's order: to every member. */
    void deliver(RoomEvent event) {
        touch();
        recent.apply(event);
        catchUp.delivered();
        members.broadcast(views.event(event));
        Meters.delivered(members.count());
    }

    // ---- sleeping

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
        // a sender not yet answered keeps the room awake until the store or the deadline answers
        boolean answered = deadlines.idle();
        return catchUp.idle() && notices.idle() && !writes.storing() && answered;
    }

    private void touch() {
        lastEventNanos = System.nanoTime();
    }
}
