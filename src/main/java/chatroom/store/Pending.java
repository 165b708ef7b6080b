package chatroom.store;

import chatroom.room.Message;
import chatroom.room.NewMessage;
import java.util.concurrent.CompletableFuture;

/**
 * One append on its way through the writer's queue. {@code stored} is set by {@link BatchTransaction} inside
 * the transaction, and the future is completed with it only after the commit.
 */
final class Pending {
    final NewMessage message;
    final CompletableFuture<Message> future = new CompletableFuture<>();
    Message stored;

    Pending(NewMessage message) {
        this.message = message;
    }
}
