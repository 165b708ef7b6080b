package chatroom.room;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Messages in memory only: gone when the process ends. For tests of the core. Completes every call at once, under one lock, so appends to a room complete in call order.
 * A retried send (same room, author and client id) completes with the message stored the first time.
 * Changes to messages are judged as the real store judges them ({@link ChangeRefusedException}), take the
 * room's next seq, and are read back by {@link #after} with their message as it now is.
 */
public final class InMemoryMessageStore implements MessageStore {

    /** Per room, every event in seq order (seq n at index n - 1), as appended. */
    private final Map<String, List<RoomEvent>> eventsByRoom = new HashMap<>();
    /** Per room, each message as it now is, by seq. */
    private final Map<String, TreeMap<Long, Message>> messagesByRoom = new HashMap<>();
    /** Insertion order is moved to the end on every append, so iteration runs least recent first. */
    private final LinkedHashMap<String, Boolean> recency = new LinkedHashMap<>(16, 0.75f, true);
    /** (room, authorId, clientId) → the event first stored with that client id. */
    private final Map<List<String>, RoomEvent> byClientId = new HashMap<>();

    @Override
    public synchronized CompletableFuture<RoomEvent> append(NewEvent event) {
        String clientId = switch (event) {
            case NewMessage message -> message.clientId();
            case NewEdit edit -> edit.clientId();
            case NewDeletion deletion -> deletion.clientId();
            case NewReaction reaction -> reaction.clientId();
        };
        String by = switch (event) {
            case NewMessage message -> message.authorId();
            case NewEdit edit -> edit.authorId();
            case NewDeletion deletion -> deletion.byId();
            case NewReaction reaction -> reaction.userId();
        };
        List<String> clientKey = clientId == null ? null : List.of(event.room(), by, clientId);
        if (clientKey != null && byClientId.containsKey(clientKey)) {
            return CompletableFuture.completedFuture(now(byClientId.get(clientKey)));
        }
        List<RoomEvent> events = eventsByRoom.computeIfAbsent(event.room(), r -> new ArrayList<>());
        TreeMap<Long, Message> messages = messagesByRoom.computeIfAbsent(event.room(), r -> new TreeMap<>());
        long seq = events.size() + 1L;
        RoomEvent stored;
        try {
            stored = switch (event) {
                case NewMessage message -> {
                    Quote quote = null;
                    if (message.replyTo() > 0) {
                        Message original = messages.get(message.replyTo());
                        if (original == null) throw new ChangeRefusedException(ChangeRefusedException.UNKNOWN);
                        if (original.deleted()) throw new ChangeRefusedException(ChangeRefusedException.DELETED);
                        quote = Quote.of(original);
                    }
                    yield new RoomEvent.Posted(message.withSeq(seq).withQuote(quote));
                }
                case NewEdit edit -> {
                    Message target = judged(messages, edit.target(), edit.authorId(), false);
                    if (target.text().equals(edit.text())) throw new ChangeRefusedException(ChangeRefusedException.UNCHANGED);
                    yield new RoomEvent.Edited(seq, target.editedTo(edit.text(), edit.at().truncatedTo(ChronoUnit.MILLIS)));
                }
                case NewDeletion deletion -> {
                    Message target = judged(messages, deletion.target(), deletion.byId(), deletion.anyAuthor());
                    yield new RoomEvent.Deleted(seq, target.deletedAt(deletion.at().truncatedTo(ChronoUnit.MILLIS)), deletion.byId());
                }
                case NewReaction reaction -> {
                    Message target = judged(messages, reaction.target(), reaction.userId(), true);
                    List<Reaction> now = new ArrayList<>(target.reactions());
                    Reaction mine = new Reaction(reaction.emoji(), reaction.userId(), reaction.userName());
                    boolean had = now.stream().anyMatch(r -> r.emoji().equals(mine.emoji()) && r.userId().equals(mine.userId()));
                    if (reaction.add()) {
                        if (had) throw new ChangeRefusedException(ChangeRefusedException.ALREADY_REACTED);
                        if (now.size() >= Reaction.MAX_PER_MESSAGE) throw new ChangeRefusedException(ChangeRefusedException.TOO_MANY_REACTIONS);
                        now.add(mine);
                        yield new RoomEvent.Reacted(seq, target.withReactions(now), reaction.userId(), reaction.emoji());
                    }
                    if (!had) throw new ChangeRefusedException(ChangeRefusedException.NOT_REACTED);
                    now.removeIf(r -> r.emoji().equals(mine.emoji()) && r.userId().equals(mine.userId()));
                    yield new RoomEvent.Unreacted(seq, target.withReactions(now), reaction.userId(), reaction.emoji());
                }
            };
        } catch (ChangeRefusedException refused) {
            return CompletableFuture.failedFuture(refused);
        }
        events.add(stored);
        Message changed = stored.message();
        messages.put(changed.seq(), changed);
        if (clientKey != null) byClientId.put(clientKey, stored);
        recency.put(event.room(), Boolean.TRUE);
        return CompletableFuture.completedFuture(stored);
    }

    private static Message judged(TreeMap<Long, Message> messages, long target, String by, boolean anyAuthor) {
        Message message = messages.get(target);
        if (message == null) throw new ChangeRefusedException(ChangeRefusedException.UNKNOWN);
        if (message.deleted()) throw new ChangeRefusedException(ChangeRefusedException.DELETED);
        if (!anyAuthor && !message.authorId().equals(by)) throw new ChangeRefusedException(ChangeRefusedException.NOT_YOURS);
        return message;
    }

    /** The message as it now is, its quote too (the original may have changed since). */
    private Message current(String room, long seq) {
        TreeMap<Long, Message> messages = messagesByRoom.get(room);
        Message message = messages.get(seq);
        if (message.quote() == null) return message;
        Message original = messages.get(message.replyTo());
        return message.withQuote(original == null ? Quote.gone(message.replyTo()) : Quote.of(original));
    }

    /** The event with its message as it now is, as the real store reads it back. */
    private RoomEvent now(RoomEvent event) {
        return event.withMessage(current(event.room(), event.message().seq()));
    }

    @Override
    public synchronized CompletableFuture<List<Message>> before(String room, long beforeSeq, int limit) {
        List<Message> older = new ArrayList<>();
        messagesByRoom.getOrDefault(room, new TreeMap<>()).headMap(beforeSeq, false).keySet()
                .forEach(seq -> older.add(current(room, seq)));
        return CompletableFuture.completedFuture(List.copyOf(older.subList(Math.max(0, older.size() - limit), older.size())));
    }

    @Override
    public synchronized CompletableFuture<List<RoomEvent>> after(String room, long afterSeq, int limit) {
        List<RoomEvent> events = eventsByRoom.getOrDefault(room, List.of());
        int start = (int) Math.min(events.size(), Math.max(0, afterSeq));
        int end = Math.min(events.size(), start + limit);
        return CompletableFuture.completedFuture(events.subList(start, end).stream().map(this::now).toList());
    }

    /** The messages after {@code afterSeq} as they now are, as a test reads what was stored. */
    public synchronized List<Message> messagesAfter(String room, long afterSeq) {
        return List.copyOf(messagesByRoom.getOrDefault(room, new TreeMap<>()).tailMap(afterSeq, false).values());
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
            last.put(room, (long) eventsByRoom.getOrDefault(room, List.of()).size());
        }
        return CompletableFuture.completedFuture(last);
    }

    @Override
    public void close() {}
}
