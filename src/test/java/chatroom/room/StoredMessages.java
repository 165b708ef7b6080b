package chatroom.room;

import java.util.List;
import java.util.concurrent.CompletableFuture;

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

    public CompletableFuture<Message> append(NewMessage message) {
        return log.append(message).thenApply(StoredMessages::message);
    }

    public CompletableFuture<List<Message>> after(String room, long afterSeq, int limit) {
        return log.after(room, afterSeq, limit).thenApply(events -> events.stream().map(StoredMessages::message).toList());
    }

    public static Message message(RoomEvent event) {
        return switch (event) {
            case RoomEvent.Posted posted -> posted.message();
        };
    }
}
