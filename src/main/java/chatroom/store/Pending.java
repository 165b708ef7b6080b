package chatroom.store;

import chatroom.room.ChangeRefusedException;
import chatroom.room.Message;
import chatroom.room.NewEvent;
import chatroom.room.NewMessage;
import chatroom.room.RoomEvent;
import java.util.concurrent.CompletableFuture;

/**
 * One append on its way through the writer's queue. {@code stored} is set by {@link BatchTransaction} inside
 * the transaction — the new message, or the one stored the first time for a retried send — and the future
 * is completed with the event that posted it only after the commit.
 */
final class Pending {
    final NewEvent event;
    /** The event if it is a message (the usual case, written in batched inserts); null for a change. */
    final NewMessage message;
    final CompletableFuture<RoomEvent> future = new CompletableFuture<>();
    Message stored;
    /** The append earlier in the same batch with this one's author and client id, or null. */
    Pending retryOf;
    /** For a change: what it became, once applied (or what it did the first time, if retried). */
    RoomEvent changed;
    /** For a change: why it was not applied; it took no seq. */
    ChangeRefusedException refused;

    Pending(NewEvent event) {
        this.event = event;
        this.message = event instanceof NewMessage m ? m : null;
    }

    String room() {
        return event.room();
    }

    /** Forgets what a rolled-back attempt set, for the batch to be written again. */
    void reset() {
        stored = null;
        retryOf = null;
        changed = null;
        refused = null;
    }

    /** Completes the future once the batch is committed. */
    void committed() {
        if (refused != null) {
            future.completeExceptionally(refused);
        } else if (changed != null) {
            future.complete(changed);
        } else {
            future.complete(new RoomEvent.Posted(stored));
        }
    }
}
