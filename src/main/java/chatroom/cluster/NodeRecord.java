package chatroom.cluster;

import chatroom.room.Author;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What this node has asserted: the users it holds in each room, in arrival order, and whether each
 * one's join is known to have been announced. It is the truth the node re-asserts after Redis loses
 * its state, and what {@code here()} answers from while Redis cannot. Thread-safe (one lock).
 */
final class NodeRecord {

    /** One user this node holds in one room; {@code since} tells this stay from an earlier one. */
    record Held(String room, Author author, long since, boolean announced) {}

    private static final class Entry {
        final long since;
        Author author;
        boolean announced;

        Entry(Author author, long since) {
            this.author = author;
            this.since = since;
        }
    }

    private final Map<String, LinkedHashMap<String, Entry>> rooms = new HashMap<>();

    /**
     * Holds the user (keeping their place if held already, with the newer author); {@code since} is a
     * number that grows with every call, naming this stay.
     */
    synchronized void arrived(String room, Author author, long since) {
        Entry entry = rooms.computeIfAbsent(room, r -> new LinkedHashMap<>()).get(author.id());
        if (entry == null) {
            rooms.get(room).put(author.id(), new Entry(author, since));
        } else {
            entry.author = author;
        }
    }

    /** Lets the user go; returns the author held, or null if the user was not held. */
    synchronized Author departed(String room, String userId) {
        Map<String, Entry> users = rooms.get(room);
        Entry entry = users == null ? null : users.remove(userId);
        if (users != null && users.isEmpty()) {
            rooms.remove(room);
        }
        return entry == null ? null : entry.author;
    }

    /** Takes the user's new name if the user is held here; true if held. */
    synchronized boolean renamed(String room, Author author) {
        Map<String, Entry> users = rooms.get(room);
        Entry entry = users == null ? null : users.get(author.id());
        if (entry == null) {
            return false;
        }
        entry.author = author;
        return true;
    }

    /**
     * Notes that Redis has this node's assertion of the user's stay {@code since}, with their join
     * announced if it was one; a later stay of the same user is not affected.
     */
    synchronized void announced(String room, String userId, long since) {
        Map<String, Entry> users = rooms.get(room);
        Entry entry = users == null ? null : users.get(userId);
        if (entry != null && entry.since == since) {
            entry.announced = true;
        }
    }

    synchronized boolean holds(String room, String userId) {
        Map<String, Entry> users = rooms.get(room);
        return users != null && users.containsKey(userId);
    }

    synchronized List<Author> here(String room) {
        Map<String, Entry> users = rooms.get(room);
        if (users == null) {
            return List.of();
        }
        List<Author> here = new ArrayList<>(users.size());
        users.values().forEach(entry -> here.add(entry.author));
        return here;
    }

    synchronized List<Held> all() {
        List<Held> all = new ArrayList<>();
        rooms.forEach((room, users) -> users.values().forEach(e -> all.add(new Held(room, e.author, e.since, e.announced))));
        return all;
    }

    synchronized List<Held> clear() {
        List<Held> all = all();
        rooms.clear();
        return all;
    }

    synchronized int size() {
        int size = 0;
        for (Map<String, Entry> users : rooms.values()) {
            size += users.size();
        }
        return size;
    }
}
