package chatroom.room;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An in-memory store that tests can override one call of (to fail appends, or count reads). A test that
 * holds or fails the append of a message overrides {@link #append(NewMessage)}.
 */
class ForwardingStore implements MessageStore {

    final InMemoryMessageStore memory = new InMemoryMessageStore();

    @Override
    public final CompletableFuture<RoomEvent> append(NewEvent event) {
        return switch (event) {
            case NewMessage message -> append(message).thenApply(RoomEvent.Posted::new);
            case NewEdit edit -> memory.append(edit);
            case NewDeletion deletion -> memory.append(deletion);
            case NewReaction reaction -> memory.append(reaction);
        };
    }

    /** Stores a message; the room's appends of messages come here. */
    public CompletableFuture<Message> append(NewMessage message) {
        return memory.append(message).thenApply(event -> ((RoomEvent.Posted) event).message());
    }

    @Override
    public CompletableFuture<List<Message>> before(String room, long beforeSeq, int limit) {
        return memory.before(room, beforeSeq, limit);
    }

    @Override
    public CompletableFuture<List<RoomEvent>> after(String room, long afterSeq, int limit) {
        return memory.after(room, afterSeq, limit);
    }

    @Override
    public CompletableFuture<List<String>> recentRooms(int limit) {
        return memory.recentRooms(limit);
    }

    @Override
    public CompletableFuture<Map<String, Long>> lastSeqs(Collection<String> rooms) {
        return memory.lastSeqs(rooms);
    }

    @Override
    public void close() {}
}
