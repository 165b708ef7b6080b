package chatroom.room;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The joins a room on this node may not hear of: until the {@link PresenceBoard} hears the room's changes
 * (its subscription not confirmed yet), a user who joins through any node, this one included, may be
 * announced where the room cannot hear it. So the lists of who is here shown to members meanwhile are
 * kept (every member was shown one), with whoever the board told the room joined or left; once the board
 * hears the room, who is here is read again, and a user in that list whom not every list showed, and of
 * whom the room was not told, joined unheard and is announced then. Nobody is departed for being absent.
 * A join heard later for a user so announced (one of this node's, whose join went to Redis only after the
 * subscription, while the read already listed them) is not told again.
 *
 * <p>State: the ids shown to all and the ids told, until the comparison is made; the ids announced by it,
 * until their join is heard, they leave, or no member is left to tell. Owned by the {@link RoomHost},
 * which outlives its room's sleeps; on the room's thread only.
 */
final class UnheardJoins {

    private boolean heard;
    /** Heard, and the list to compare with not read yet: what is shown and told still counts. */
    private boolean comparing;
    private Set<String> shownToAll; // ids in every list shown; null: none shown
    private final Set<String> told = new HashSet<>();
    private final Set<String> announced = new HashSet<>();

    private boolean keeping() {
        return !heard || comparing;
    }

    /** A list of who is here, shown to members. */
    void shown(List<Author> here) {
        if (!keeping()) {
            return;
        }
        Set<String> ids = Author.ids(here);
        if (shownToAll == null) {
            shownToAll = ids;
        } else {
            shownToAll.retainAll(ids);
        }
    }

    /** A change the board told the room; returns it less the joins the room announced already. */
    PresenceBoard.Change told(PresenceBoard.Change change) {
        if (keeping()) {
            change.joined().forEach(user -> told.add(user.id()));
            change.left().forEach(user -> told.add(user.id()));
        }
        if (announced.isEmpty()) {
            return change;
        }
        change.left().forEach(user -> announced.remove(user.id()));
        List<Author> joined = new ArrayList<>(change.joined());
        joined.removeIf(user -> announced.remove(user.id()));
        return joined.size() == change.joined().size()
                ? change
                : new PresenceBoard.Change(joined, change.left(), change.renamed());
    }

    /** The board hears the room from now on; true when lists were shown before, to be compared with who is here. */
    boolean heard() {
        if (heard) {
            return false;
        }
        heard = true;
        comparing = shownToAll != null;
        if (!comparing) {
            told.clear();
        }
        return comparing;
    }

    /**
     * Who joined unheard, given who is here once heard ({@code null}: not read, so nobody); once they are
     * announced, tell {@link #announced}.
     */
    List<Author> joinedUnheard(List<Author> here) {
        comparing = false;
        List<Author> joined = new ArrayList<>();
        if (here != null && shownToAll != null) {
            for (Author user : here) {
                if (!shownToAll.contains(user.id()) && !told.contains(user.id())) {
                    joined.add(user);
                }
            }
        }
        shownToAll = null;
        told.clear();
        return joined;
    }

    /** The users the comparison found have been announced: a join of theirs heard from now on is not told again. */
    void announced(List<Author> users) {
        users.forEach(user -> announced.add(user.id()));
    }

    /** No member is left here to tell: what earlier members were shown no longer counts. */
    void forget() {
        comparing = false;
        shownToAll = null;
        told.clear();
        announced.clear();
    }
}
