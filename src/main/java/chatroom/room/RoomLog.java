package chatroom.room;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A room's numbered events, as the cursor and replay read them: the store's half that keeps the one
 * order. {@link #append} numbers an event in the transaction that stores it; {@link #after} reads the
 * events a node or a reconnecting page has not seen; {@link #lastSeqs} says where rooms stand. Pages of
 * messages as they now are come from {@link MessagePages}.
 *
 * <p>Threading: every method may be called from any thread and must not block the caller; work that
 * blocks (JDBC) runs on the store's own threads and completes the future there.
 *
 * <p>Ordering: {@link #append} assigns the room's next sequence number in the same transaction that
 * stores the event, and completes only after the commit. Appends to one room complete in the order they
 * were called, so a room that publishes on completion publishes in sequence order. Seqs have no holes,
 * except at the oldest end of a room that retention has pruned.
 */
public interface RoomLog {

    /**
     * Stores the event and completes with it, numbered, once it is durable. A message whose {@link
     * NewMessage#clientId} the same author already used in the room is not stored again: the append
     * completes with the event stored the first time (a retried send after a lost acknowledgement).
     */
    CompletableFuture<RoomEvent> append(NewEvent event);

    /** Up to {@code limit} events of the room with {@code seq > afterSeq}, oldest first. */
    CompletableFuture<List<RoomEvent>> after(String room, long afterSeq, int limit);

    /**
     * The newest sequence number of each of the rooms (0 for a room with no events): how a node finds out
     * that it missed the tail of a room, e.g. an event whose publisher died before announcing it.
     */
    CompletableFuture<Map<String, Long>> lastSeqs(Collection<String> rooms);
}
