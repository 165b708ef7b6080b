package chatroom.room;

import java.util.concurrent.Executor;

/**
 * One member's socket as the room sees it. The web layer implements it over a WebSocket; tests use a
 * plain fake. Implementations must make {@link #send} cheap and non-blocking: it queues the bytes and
 * returns. A connection whose queue is over its limit closes itself ({@link CloseReason#TOO_SLOW})
 * rather than slow the room down.
 */
public interface Connection {

    /**
     * The thread this connection's writes run on (its event loop). The room sends one task per such
     * thread for each broadcast, rather than one per member; {@link #send} may still be called from
     * any thread.
     */
    Executor executor();

    /** Who is connected, as of now (a rename changes it). */
    Author author();

    void rename(Author renamed);

    /** Queues the fragment for this member; does nothing if the socket is closed. */
    void send(Fragment fragment);

    /** Closes the socket with the reason's WebSocket close code. */
    void close(CloseReason reason);

    /** Why the server closes a socket, and the WebSocket close code that tells the client what to do. */
    enum CloseReason {
        /** The member could not keep up; 1013 "try again later" makes htmx reconnect and catch up. */
        TOO_SLOW(1013, "too slow: reconnect to catch up"),
        /** The server is shutting down or restarting; 1012 makes htmx reconnect. */
        RESTARTING(1012, "server restarting"),
        /** The client broke the rules (e.g. flooding); 1008 "policy violation". */
        POLICY(1008, "policy violation");

        public final int code;
        public final String text;

        CloseReason(int code, String text) {
            this.code = code;
            this.text = text;
        }
    }
}
