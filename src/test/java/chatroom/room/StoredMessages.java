package chatroom.room;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A room log read as the messages it holds, for tests that store and read messages only: each event of
 * today's one kind is the message it posted.
 */
public final class StoredMessages {

    private final RoomLog log;

    private StoredMessages(RoomLog log) {
        this.log = log;
    }

    public static StoredMessages messages(RoomLog log) {
        return new StoredMessages(log);
    }

    /** Appends the message; fails with the store's own exception, as the log's append does. */
    public CompletableFuture<Message> append(NewMessage message) {
        return mapped(log.append(message), StoredMessages::message);
    }

    public CompletableFuture<List<Message>> after(String room, long afterSeq, int limit) {
        return mapped(log.after(room, afterSeq, limit), events -> events.stream().map(StoredMessages::message).toList());
    }

    /** Like {@code thenApply}, without wrapping a failure in a CompletionException. */
    private static <T, R> CompletableFuture<R> mapped(CompletableFuture<T> future, Function<T, R> map) {
        CompletableFuture<R> result = new CompletableFuture<>();
        future.whenComplete((value, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(map.apply(value));
            }
        });
        return result;
    }

    /** The message an event posted or changed, as it became. */
    public static Message message(RoomEvent event) {
        return event.message();
    }
}
