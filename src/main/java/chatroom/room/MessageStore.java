package chatroom.room;

import java.util.Collection;
import java.util.List;
import java.util.Map;
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

    /**
     * Stores the message and completes with it, numbered, once it is durable. A message whose {@link
     * NewMessage#clientId} the same author already used in the room is not stored again: the append
     * completes with the message stored the first time (a retried send after a lost acknowledgement).
     */
    CompletableFuture<Message> append(NewMessage message);

    /**
     * Up to {@code limit} messages of the room with {@code seq < beforeSeq}, the newest ones of that
     * range, returned oldest first. {@code Long.MAX_VALUE} asks for the latest messages.
     */
    CompletableFuture<List<Message>> before(String room, long beforeSeq, int limit);

    /** Up to {@code limit} messages of the room with {@code seq > afterSeq}, oldest first. */
    CompletableFuture<List<Message>> after(String room, long afterSeq, int limit);

    /**
     * Names of public rooms that have messages, the one with the newest message first, at most {@code
     * limit}. Private rooms are never listed, and are left out before the limit is applied.
     */
    CompletableFuture<List<String>> recentRooms(int limit);

    /**
     * The newest sequence number of each of the rooms (0 for a room with no messages): how a node finds
     * out that it missed the tail of a room, e.g. a message whose publisher died before announcing it.
     */
    CompletableFuture<Map<String, Long>> lastSeqs(Collection<String> rooms);

    /** Finishes pending writes, then releases connections and threads. */
    @Override
    void close();
}
