package chatroom.cluster;

import chatroom.room.Author;
import chatroom.room.PresenceBoard.Change;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A room watched but whose channel is not heard yet (its first SUBSCRIBE unconfirmed): users who join
 * meanwhile are announced on a channel this node does not hear. So the lists read meanwhile are kept
 * (each member was shown one), and once the subscription is confirmed who is here is read again: a
 * user in it whom not every list showed, and whom the channel has not announced or departed since,
 * joined unheard and is announced then. Nobody is departed for being absent. Reads on the one command
 * connection are answered in the order sent, so every list read before the confirmation is kept
 * before the read that takes the difference.
 */
final class StartingRoom {

    /** The watcher's word that the room is heard from now on; run once, after the difference is told. */
    final Runnable whenHeard;
    private boolean confirmed; // guarded by this, as are the rest
    private Set<String> shownToAll; // ids in every list read before the confirmation; null: none read
    private final Set<String> heard = new HashSet<>();

    StartingRoom(Runnable whenHeard) {
        this.whenHeard = whenHeard;
    }

    /** True while lists read now count as shown before the channel was heard. */
    synchronized boolean reading() {
        return !confirmed;
    }

    synchronized void shown(List<Author> here) {
        Set<String> ids = Author.ids(here);
        if (shownToAll == null) {
            shownToAll = ids;
        } else {
            shownToAll.retainAll(ids);
        }
    }

    synchronized void heard(Change change) {
        change.joined().forEach(user -> heard.add(user.id()));
        change.left().forEach(user -> heard.add(user.id()));
    }

    /** Marks the subscription confirmed; true the first time only. */
    synchronized boolean confirm() {
        boolean first = !confirmed;
        confirmed = true;
        return first;
    }

    /** {@code mine}: this node's users, whose joins wait for the subscription and so are heard. */
    synchronized List<Author> joinedUnheard(List<Author> here, List<Author> mine) {
        if (shownToAll == null) {
            return List.of(); // no list was read before the channel was heard: none can lack anyone
        }
        Set<String> mineIds = Author.ids(mine);
        List<Author> joined = new ArrayList<>();
        for (Author user : here) {
            if (!shownToAll.contains(user.id()) && !heard.contains(user.id()) && !mineIds.contains(user.id())) {
                joined.add(user);
            }
        }
        return joined;
    }
}
