package chatroom.room;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a room's members are told of who is here, for its {@link Room}: the list of who is here (to a
 * newcomer at once, to everyone after each update), and the quiet lines "ann joined", "bob left", "ann is
 * now anna". Changes from the {@link PresenceBoard}, made on any node, are gathered for {@code
 * presenceDelay} into one update, and updates in a crowd are spaced further apart; renames of one user
 * within an update are merged into one line. Nothing here is stored: a page that missed an update is
 * shown who is here when it comes back. Until the board hears the room's changes (a subscription not yet
 * confirmed), a join may be announced where this node does not hear it: the lists shown meanwhile are
 * kept ({@link UnheardJoins}), and once the board hears the room, whoever joined unheard is announced,
 * once. Room's thread only.
 */
final class PresenceNotices {

    private static final Logger log = LoggerFactory.getLogger(PresenceNotices.class);

    /**
     * Presence updates go out at least this many {@code presenceDelay}s apart (1 s by default): a crowd of
     * 100 arriving over 20 s then costs each member ~20 updates instead of one per arrival, each a whole
     * list of who is here. A change after a quiet spell still goes out after one delay.
     */
    static final int PRESENCE_SPACING_DELAYS = 5;

    private final RoomHost host;
    private final Members members;
    private final PresenceBoard board;
    private final RoomViews views;
    private final RoomSettings settings;
    private final UnheardJoins unheardJoins;

    /** Reads of who is here not yet answered; the room stays awake until they are. */
    private int readsPending;
    private boolean updateScheduled;
    /** When the last update went out; long ago for a room that has sent none. */
    private long lastUpdateNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    /** Changes gathered for the next update. */
    private final List<Author> joined = new ArrayList<>();
    private final List<Author> left = new ArrayList<>();
    private final List<PresenceBoard.Rename> renamed = new ArrayList<>();

    PresenceNotices(RoomHost host, Members members, UnheardJoins unheardJoins, RoomServices services) {
        this.host = host;
        this.members = members;
        this.unheardJoins = unheardJoins;
        this.board = services.board();
        this.views = services.views();
        this.settings = services.settings();
    }

    /**
     * Shows a newcomer who is here now, even when nobody new arrived (a second tab, a user already here
     * through another node) and no update for everyone follows.
     */
    void showHereTo(Member member) {
        readHere(member);
    }

    /** Gathers who joined, left or was renamed, on any node, for the next update. */
    void gather(PresenceBoard.Change change) {
        add(unheardJoins.told(change));
    }

    /** Nobody is here to tell: what was kept of the lists shown is of no use to anyone any more. */
    void forget() {
        unheardJoins.forget();
    }

    /**
     * The board hears the room from now on, and members were shown who is here before it did: whoever
     * joined meanwhile unheard is announced, once.
     */
    void heard() {
        readsPending++;
        board.here(host.name().value())
                .whenComplete((here, error) -> host.run(room -> room.notices().announceUnheard(here, error)));
    }

    private void announceUnheard(List<Author> here, Throwable error) {
        readsPending--;
        if (error != null) {
            log.warn("{}: who is here could not be read, to announce who joined unheard: {}", host.name(), error.toString());
        }
        List<Author> unheard = unheardJoins.joinedUnheard(error == null ? here : null);
        if (!unheard.isEmpty() && members.count() > 0) {
            add(new PresenceBoard.Change(unheard, List.of(), List.of()));
            unheardJoins.announced(unheard);
        }
    }

    private void add(PresenceBoard.Change change) {
        joined.addAll(change.joined());
        left.addAll(change.left());
        for (PresenceBoard.Rename rename : change.renamed()) {
            addRename(rename);
        }
        if (!updateScheduled) {
            updateScheduled = true;
            // a change after a quiet spell goes out after the delay; in a crowd arriving, changes keep
            // coming, and updates go out at most once per spacing: each is a frame for every member
            long delayNanos = settings.presenceDelay().toNanos();
            long sinceLastNanos = System.nanoTime() - lastUpdateNanos;
            long spacingNanos = PRESENCE_SPACING_DELAYS * delayNanos;
            if (sinceLastNanos < spacingNanos) {
                delayNanos = Math.max(delayNanos, spacingNanos - sinceLastNanos);
            }
            host.executor().schedule(() -> host.run(room -> room.notices().sendUpdate()), delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** True when no read of who is here is unanswered and no update is due. */
    boolean idle() {
        return readsPending == 0 && !updateScheduled;
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

    private void sendUpdate() {
        updateScheduled = false;
        lastUpdateNanos = System.nanoTime();
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
        readHere(null);
    }

    /** Reads who is here, then shows it to one member ({@code to}), or to every member when {@code to} is null. */
    private void readHere(Member to) {
        readsPending++;
        board.here(host.name().value())
                .whenComplete((here, error) -> host.run(room -> room.notices().showHere(to, here, error)));
    }

    private void showHere(Member to, List<Author> here, Throwable error) {
        readsPending--;
        if (error != null) {
            log.warn("{}: who is here could not be read: {}", host.name(), error.toString());
            return;
        }
        if (to == null) {
            members.broadcast(views.presence(here));
            unheardJoins.shown(here);
        } else if (members.contains(to)) {
            members.send(to, views.presence(here));
            unheardJoins.shown(here);
        }
    }

    private static List<String> names(List<Author> users) {
        List<String> names = new ArrayList<>(users.size());
        for (Author user : users) {
            names.add(user.name());
        }
        return names;
    }
}
