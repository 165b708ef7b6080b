package chatroom.room;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Messages in memory only: gone when the process ends. For tests of the core. Completes every call at once, under one lock, so appends to a room complete in call order.
 * A retried send (same room, author and client id) completes with the message stored the first time.
 */
public final class InMemoryMessageStore implements MessageStore {

    private final Map<String, List<Message>> messagesByRoom = new HashMap<>();
    /** Insertion order is moved to the end on every append, so iteration runs least recent first. */
    private final LinkedHashMap<String, Boolean> recency = new LinkedHashMap<>(16, 0.75f, true);
    /** (room, authorId, clientId) → the message first stored with that client id. */
    private final Map<List<String>, Message> byClientId = new HashMap<>();

    @Override
    public CompletableFuture<RoomEvent> append(NewEvent event) {
        return switch (event) {
            case NewMessage message -> appendMessage(message).thenApply(RoomEvent.Posted::new);
        };
    }

    private synchronized CompletableFuture<Message> appendMessage(NewMessage message) {
        List<String> clientKey = message.clientId() == null
                ? null
                : List.of(message.room(), message.authorId(), message.clientId());
        if (clientKey != null && byClientId.containsKey(clientKey)) {
            return CompletableFuture.completedFuture(byClientId.get(clientKey));
        }
        List<Message> messages = messagesByRoom.computeIfAbsent(message.room(), r -> new ArrayList<>());
        Message stored = message.withSeq(messages.size() + 1L);
        messages.add(stored);
        if (clientKey != null) byClientId.put(clientKey, stored);
        recency.put(message.room(), Boolean.TRUE);
        return CompletableFuture.completedFuture(stored);
    }

    @Override
    public synchronized CompletableFuture<List<Message>> before(String room, long beforeSeq, int limit) {
        List<Message> messages = messagesByRoom.getOrDefault(room, List.of());
        // seq n sits at index n - 1
        int end = (int) Math.min(messages.size(), Math.max(0, beforeSeq - 1));
        int start = Math.max(0, end - limit);
        return CompletableFuture.completedFuture(List.copyOf(messages.subList(start, end)));
    }

    @Override
    public synchronized CompletableFuture<List<RoomEvent>> after(String room, long afterSeq, int limit) {
        List<Message> messages = messagesByRoom.getOrDefault(room, List.of());
        int start = (int) Math.min(messages.size(), Math.max(0, afterSeq));
        int end = Math.min(messages.size(), start + limit);
        return CompletableFuture.completedFuture(
                messages.subList(start, end).stream().<RoomEvent>map(RoomEvent.Posted::new).toList());
    }

    /** The messages after {@code afterSeq}, as a test reads what was stored. */
    public synchronized List<Message> messagesAfter(String room, long afterSeq) {
        List<Message> messages = messagesByRoom.getOrDefault(room, List.of());
        return List.copyOf(messages.subList((int) Math.min(messages.size(), Math.max(0, afterSeq)), messages.size()));
    }

    @Override
    public synchronized CompletableFuture<List<String>> recentRooms(int limit) {
        List<String> rooms = new ArrayList<>(recency.keySet());
        rooms.removeIf(room -> room.startsWith(RoomName.PRIVATE_PREFIX));
        Collections.reverse(rooms);
        return CompletableFuture.completedFuture(List.copyOf(rooms.subList(0, Math.min(limit, rooms.size()))));
    }

    @Override
    public synchronized CompletableFuture<Map<String, Long>> lastSeqs(Collection<String> rooms) {
        Map<String, Long> last = new HashMap<>();
        for (String room : rooms) {
            last.put(room, (long) messagesByRoom.getOrDefault(room, List.of()).size());
        }
        return CompletableFuture.completedFuture(last);
    }

    @Override
    public void close() {}
}
