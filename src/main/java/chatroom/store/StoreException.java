package chatroom.store;

/**
 * The database could not do what was asked: a write transaction or a read failed. Futures from {@link
 * JdbcMessageStore} complete exceptionally with this; the message says which room, how many messages and
 * why, and the cause is the driver's exception. Nothing was stored for a failed append.
 */
public final class StoreException extends RuntimeException {

    StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    StoreException(String message) {
        super(message);
    }
}
