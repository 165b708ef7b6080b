package chatroom.room;

/**
 * Tells every node that has members in a room that the room has a new, committed {@link RoomEvent}: the
 * seam between "the store has committed it" and "members receive it". One node uses an in-process feed;
 * several nodes use one over Redis ({@code chatroom.cluster}).
 *
 * <p>A feed may lose, repeat or reorder messages (Redis pub/sub drops whatever is published while a
 * subscriber is disconnected). Receivers therefore never trust it for completeness: each room keeps a
 * cursor, delivers by sequence number, and reads gaps from the {@link MessageStore} ({@code
 * RoomCursor}). A feed's only duties are to deliver quickly what it can, and to call the {@link
 * #whenMessagesMayBeLost} hook whenever it may have dropped something (after every (re)subscription,
 * and now and then for a message whose publisher died after committing it).
 *
 * <p>Threading: every method may be called from any thread and must not block. Receivers are called
 * on the feed's own threads, one message at a time per room; they hand the message to the room's
 * thread themselves.
 */
public interface MessageFeed extends AutoCloseable {

    /**
     * Announces a committed event to the receivers of its room on every node, this one included.
     * Receivers on this node get it even while the bus between nodes is down. Never throws. A node that
     * gets an event of a kind it does not know (a newer node, mid-upgrade) skips it.
     */
    void publish(RoomEvent event);

    /**
     * Passes a signal (never stored, no seq: someone typing) to the receivers of its room on every node,
     * this one included. Best effort, and never made up for: a page that missed one is shown the present
     * state later. Never throws. A node that gets a kind of signal it does not know skips it.
     */
    void signal(String room, Signal signal);

    /** Starts passing the room's events and signals to {@code receiver}; one receiver per room on each node. */
    void subscribe(String room, Receiver receiver);

    /** Stops passing the room's events on; its receiver may still get an event already on its way. */
    void unsubscribe(String room);

    /**
     * Registers what to run when messages may have been lost: after the feed (re)subscribes to the bus,
     * and periodically. An in-process feed loses nothing and never calls it.
     */
    void whenMessagesMayBeLost(Runnable recheck);

    /** True when the feed reaches every node; false while it is reconnecting. For readiness checks. */
    boolean connected();

    /** Why this node should not get new connections, in one line for the readiness check; empty if none. */
    default String trouble() {
        return connected() ? "" : "the feed between nodes is disconnected";
    }

    @Override
    void close();

    /** What a room on this node is passed: every event, and the signals of its room. */
    interface Receiver {

        void event(RoomEvent event);

        /** A signal of the room; a receiver that wants only events ignores it. */
        default void signal(Signal signal) {}
    }
}
