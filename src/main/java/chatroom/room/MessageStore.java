package chatroom.room;

/**
 * A room store as the server opens it: the {@link RoomLog} of numbered events and the {@link MessagePages}
 * of messages as they now are, which one database keeps together (an event and the message it changes are
 * written in one commit). Implementations: SQLite and PostgreSQL ({@code chatroom.store}); the core's tests
 * use one in memory.
 */
public interface MessageStore extends RoomLog, MessagePages, AutoCloseable {

    /** Finishes pending writes, then releases connections and threads. */
    @Override
    void close();
}
