package chatroom.room;

import java.util.concurrent.Executor;

/**
 * A member of a room: one open socket, as the room sees it (one user with two tabs is two members).
 * The web layer implements it over a WebSocket; tests use a plain fake. Implementations must make {@link #send} cheap and non-blocking: it queues the bytes and
 * returns. A member whose queue is over its limit closes itself ({@link CloseReason#TOO_SLOW})
 * rather than slow the room down.
 */
public interface Member {

    /**
     * The thread this member's writes run on (its socket's event loop). The room sends one task per such
     * thread for each broadcast, rather than one per member; {@link #send} may still be called from
     * any thread.
     */
    Executor executor();

    /** Who this member is, as of now (a rename changes it). */
    Author author();

    /** A guest or an account, as it was when the socket opened. */
    default Standing standing() {
        return Standing.MEMBER;
    }

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
        POLICY(1008, "policy violation"),
        /**
         * The node hosts as many rooms as it may and this one is not among them; 1013 "try again later" makes
         * htmx reconnect, and the page shows that the server is busy (it looks for this text's start).
         */
        BUSY(1013, "server busy: too many rooms open on this server; trying again later"),
        /**
         * The account's session was ended (signed out, here or from another device); 4001, which htmx does
         * not reconnect after, and the page says so.
         */
        SIGNED_OUT(4001, "signed out: this session was ended");

        public final int code;
        public final String text;

        CloseReason(int code, String text) {
            this.code = code;
            this.text = text;
        }
    }
}
