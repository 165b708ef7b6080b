package chatroom.cluster;

import chatroom.room.Message;
import chatroom.room.MessageFeed;
import chatroom.room.RoomEvent;
import chatroom.room.Signal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One "node" in a feed test: its feed, what each of its rooms' receivers got, and how often the feed ran
 * the may-be-lost hook. A hand-written stand-in for the room core.
 */
final class FeedNode implements AutoCloseable {

    final MessageFeed feed;
    final AtomicInteger rechecks = new AtomicInteger();
    private final Map<String, List<RoomEvent>> received = new ConcurrentHashMap<>();
    private final Map<String, List<Signal>> signals = new ConcurrentHashMap<>();

    FeedNode(MessageFeed feed) {
        this.feed = feed;
        feed.whenMessagesMayBeLost(rechecks::incrementAndGet);
    }

    FeedNode join(String... rooms) {
        for (String room : rooms) {
            List<RoomEvent> list = received.computeIfAbsent(room, r -> new CopyOnWriteArrayList<>());
            List<Signal> signalList = signals.computeIfAbsent(room, r -> new CopyOnWriteArrayList<>());
            feed.subscribe(room, MessageFeedContract.receiver(list, signalList));
        }
        return this;
    }

    List<Signal> signals(String room) {
        return signals.getOrDefault(room, List.of());
    }

    List<RoomEvent> got(String room) {
        return received.getOrDefault(room, List.of());
    }

    boolean has(RoomEvent message) {
        return got(message.room()).contains(message);
    }

    @Override
    public void close() {
        feed.close();
    }
}
