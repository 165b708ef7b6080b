package chatroom.room;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The users with sockets in one room on this node, each with how many sockets (tabs) they have open
 * here. It tells the room when a user's first socket here opens and their last one closes: what the
 * {@link PresenceBoard} needs to know from this node. Owned by an awake {@link Room}, on the room's
 * thread; a room that wakes rebuilds it from the members whose sockets stayed open while it slept.
 */
final class UsersHere {

    private final Map<String, User> users = new HashMap<>();

    private static final class User {
        Author author;
        int sockets;

        User(Author author) {
            this.author = author;
        }
    }

    UsersHere(List<Member> members) {
        for (Member member : members) {
            users.computeIfAbsent(member.author().id(), id -> new User(member.author())).sockets++;
        }
    }

    /** A socket of this user opened here; true if it is their first. */
    boolean arrived(Author author) {
        return users.computeIfAbsent(author.id(), id -> new User(author)).sockets++ == 0;
    }

    /** A socket of this user closed here; true if it was their last. */
    boolean departed(Author author) {
        User user = users.get(author.id());
        if (user == null || --user.sockets > 0) {
            return false;
        }
        users.remove(author.id());
        return true;
    }

    /** Gives the user a new name; returns the old one, or null if the user is not here or kept the name. */
    String renamed(String userId, String newName) {
        User user = users.get(userId);
        if (user == null || user.author.name().equals(newName)) {
            return null;
        }
        String oldName = user.author.name();
        user.author = user.author.renamed(newName);
        return oldName;
    }

    /** The user as known here, or null. */
    Author author(String userId) {
        User user = users.get(userId);
        return user == null ? null : user.author;
    }
}
