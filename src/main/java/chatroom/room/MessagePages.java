package chatroom.room;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A room's messages as they now are, a page at a time, for what a page shows: a first join's history,
 * scrolling back, the lobby's list of rooms. The store's other half, beside the {@link RoomLog} of
 * numbered events that the cursor and replay read. Threading as for the log: never blocks the caller.
 */
public interface MessagePages {

    /**
     * Up to {@code limit} messages of the room with {@code seq < beforeSeq}, the newest ones of that
     * range, returned oldest first. {@code Long.MAX_VALUE} asks for the latest messages.
     */
    CompletableFuture<List<Message>> before(String room, long beforeSeq, int limit);

    /**
     * Names of public rooms that have messages, the one with the newest message first, at most {@code
     * limit}. Private rooms are never listed, and are left out before the limit is applied.
     */
    CompletableFuture<List<String>> recentRooms(int limit);
}
