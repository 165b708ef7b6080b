package chatroom.room;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Who is in each room across every node: each user once, however many sockets (tabs) and nodes they
 * are connected through. Rooms report what changes on this node — a user's first socket here in a room,
 * their last one gone, a rename — and the board tells the room on every node when a user joins the room
 * (their first socket anywhere), leaves it (their last socket anywhere closed, or their node died) or
 * takes a new name. One node uses an in-process board; several share one in Redis ({@code
 * chatroom.cluster}).
 *
 * <p>A board never infers a leave from a missing entry: a user leaves only when every node that had
 * them says so, or a node is declared dead. After the shared state is lost (Redis restarted empty) each
 * node asserts its own users again.
 *
 * <p>Threading: every method may be called from any thread and must not block. Watchers are called on
 * the board's own threads, in order per room; they hand the change to the room's thread themselves.
 */
public interface PresenceBoard extends AutoCloseable {

    /** This node's first socket of {@code user} in the room has opened. */
    void arrived(String room, Author user);

    /** This node's last socket of {@code user} in the room has closed. */
    void departed(String room, Author user);

    /** {@code user}, in the room through this node, now has a new name (it was {@code oldName}). */
    void renamed(String room, Author user, String oldName);

    /** Starts passing the room's changes, from every node, to {@code watcher}; one watcher per room per node. */
    void watch(String room, Consumer<Change> watcher);

    /**
     * As {@link #watch(String, Consumer)}, and runs {@code heard} once the board hears the room's changes
     * from every node, after any change it tells the watcher about the time before. Until then a user who
     * joins may be announced where this node does not hear it (a subscription not yet confirmed), so the
     * room compares who is here then with what its members were shown. A board that hears every change as
     * it happens hears at once.
     */
    default void watch(String room, Consumer<Change> watcher, Runnable heard) {
        watch(room, watcher);
        heard.run();
    }

    /** Stops passing the room's changes on. */
    void unwatch(String room);

    /** Everyone in the room now, each user once, in the order they arrived. */
    CompletableFuture<List<Author>> here(String room);

    /**
     * The busiest public rooms across every node, at most {@code limit}, most people first, then by
     * name. Private rooms are never listed, and are left out before the limit is applied.
     */
    List<Occupancy> busiest(int limit);

    @Override
    void close();

    /** How many people are in a public room now. */
    record Occupancy(RoomName name, int people) {}

    /** Users who joined a room, left it, or took a new name, in the order it happened. */
    record Change(List<Author> joined, List<Author> left, List<Rename> renamed) {

        public static Change joined(Author user) {
            return new Change(List.of(user), List.of(), List.of());
        }

        public static Change left(Author user) {
            return new Change(List.of(), List.of(user), List.of());
        }

        public static Change renamed(Author user, String oldName) {
            return new Change(List.of(), List.of(), List.of(new Rename(user, oldName)));
        }
    }

    /** A user with their new name, and the name they had. */
    record Rename(Author user, String oldName) {}
}
