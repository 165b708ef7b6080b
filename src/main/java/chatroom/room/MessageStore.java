package chatroom.room;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a room's messages live. The room calls it; implementations are in-memory ({@link
 * InMemoryMessageStore}, for tests and the core) and JDBC ({@code chatroom.store}, SQLite or PostgreSQL).
 *
 * <p>Threading: every method may be called from any thread and must not block the caller; work that
 * blocks (JDBC) runs on the store's own threads and completes the future there. Callers must not
 * block on the futures from an event loop.
 *
 * <p>Ordering: {@link #append} assigns the room's next sequence number in the same transaction that
 * stores the message, and completes only after the commit. Appends to one room complete in the order
 * they were called, so a room that broadcasts on completion broadcasts in sequence order.
 */
public interface MessageStore extends AutoCloseable {

    /** Stores the message and completes with it, numbered, once it is durable. */
    CompletableFuture<Message> append(NewMessage message);

    /**
     * Up to {@code limit} messages of the room with {@code seq < beforeSeq}, the newest ones of that
     * range, returned oldest first. {@code Long.MAX_VALUE} asks for the latest messages.
     */
    CompletableFuture<List<Message>> before(String room, long beforeSeq, int limit);

    /** Up to {@code limit} messages of the room with {@code seq > afterSeq}, oldest first. */
    CompletableFuture<List<Message>> after(String room, long afterSeq, int limit);

    /** Names of rooms that have messages, most recently active first, at most {@code limit}. */
    CompletableFuture<List<String>> activeRooms(int limit);

    /** Finishes pending writes, then releases connections and threads. */
    @Override
    void close();
}
