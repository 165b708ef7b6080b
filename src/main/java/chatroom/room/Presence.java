package chatroom.room;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who is in one room now: each user once, however many sockets (tabs) they have open, with the
 * arrivals and departures not yet announced. Owned by an awake {@link Room}, on the room's thread; a
 * room that wakes rebuilds it from the members whose sockets stayed open while it slept.
 */
final class Presence {

    private final Map<String, User> users = new LinkedHashMap<>();
    private final List<String> joined = new ArrayList<>();
    private final List<String> left = new ArrayList<>();

    private static final class User {
        Author author;
        int sockets;

        User(Author author) {
            this.author = author;
        }
    }

    Presence(List<Member> members) {
        for (Member member : members) {
            users.computeIfAbsent(member.author().id(), id -> new User(member.author())).sockets++;
        }
    }

    /** A socket of this user opened; true if the user was not here before (a join to announce). */
    boolean arrived(Author author) {
        User user = users.computeIfAbsent(author.id(), id -> new User(author));
        if (user.sockets++ > 0) {
            return false;
        }
        joined.add(author.name());
        return true;
    }

    /** A socket of this user closed; true if it was their last one here (a leave to announce). */
    boolean departed(Author author) {
        User user = users.get(author.id());
        if (user == null || --user.sockets > 0) {
            return false;
        }
        users.remove(author.id());
        left.add(user.author.name());
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

    int people() {
        return users.size();
    }

    List<Author> here() {
        List<Author> here = new ArrayList<>(users.size());
        for (User user : users.values()) {
            here.add(user.author);
        }
        return here;
    }

    /** Names of users who joined since the last call, in order; clears them. */
    List<String> takeJoined() {
        List<String> names = List.copyOf(joined);
        joined.clear();
        return names;
    }

    /** Names of users who left since the last call, in order; clears them. */
    List<String> takeLeft() {
        List<String> names = List.copyOf(left);
        left.clear();
        return names;
    }
}
