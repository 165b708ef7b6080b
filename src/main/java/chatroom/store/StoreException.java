package chatroom.store;

/**
 * The database could not do what was asked: a write transaction or a read failed, or the store could not be
 * opened (PostgreSQL unreachable, a SQLite file another process has open). Futures from {@link
 * JdbcMessageStore} complete exceptionally with this; the message says which room, how many messages and
 * why, and the cause is the driver's exception. Nothing was stored for a failed append — with one
 * exception no client can rule out: a PostgreSQL connection that broke during the commit itself leaves its
 * outcome unknown, which is what client ids are for (a retry with the same id is stored at most once).
 */
public final class StoreException extends RuntimeException {

    StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    StoreException(String message) {
        super(message);
    }
}
