package chatroom.store;

import chatroom.room.Message;
import chatroom.room.NewMessage;
import chatroom.room.RoomEvent;
import java.util.concurrent.CompletableFuture;

/**
 * One append on its way through the writer's queue. {@code stored} is set by {@link BatchTransaction} inside
 * the transaction — the new message, or the one stored the first time for a retried send — and the future
 * is completed with the event that posted it only after the commit.
 */
final class Pending {
    final NewMessage message;
    final CompletableFuture<RoomEvent> future = new CompletableFuture<>();
    Message stored;
    /** The append earlier in the same batch with this one's author and client id, or null. */
    Pending retryOf;

    Pending(NewMessage message) {
        this.message = message;
    }
}
