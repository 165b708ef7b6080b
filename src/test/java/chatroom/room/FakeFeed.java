package chatroom.room;

import chatroom.cluster.InProcessFeed;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The one-node production feed ({@link InProcessFeed}) made unreliable for tests: it passes messages on
 * at once, except those a test tells it to lose, and lets a test hand a room any message (a repeat, one
 * out of order) as if it came from another node, or say that messages may have been lost.
 */
final class FakeFeed implements MessageFeed {

    private final InProcessFeed feed = new InProcessFeed();
    private final List<Runnable> rechecks = new CopyOnWriteArrayList<>();
    private volatile Predicate<Message> lose = m -> false;
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    private final List<Message> published = new CopyOnWriteArrayList<>();

    /** The rooms subscribed to now. */
    Set<String> subscribed() {
        return subscribed;
    }

    /** Every message published so far, lost or not. */
    List<Message> published() {
        return published;
    }

    /** From now on, loses the messages that match. */
    void lose(Predicate<Message> which) {
        lose = which;
    }

    /** Hands the message to its room's receiver, as if another node had published it. */
    void bring(Message message) {
        feed.publish(new RoomEvent.Posted(message));
    }

    /** Tells the rooms that messages may have been lost, as a feed does after reconnecting. */
    void mayHaveLost() {
        rechecks.forEach(Runnable::run);
    }

    @Override
    public void publish(RoomEvent event) {
        Message message = StoredMessages.message(event);
        published.add(message);
        if (!lose.test(message)) {
            feed.publish(event);
        }
    }

    @Override
    public void signal(String room, Signal signal) {
        feed.signal(room, signal);
    }

    @Override
    public void subscribe(String room, Receiver receiver) {
        subscribed.add(room);
        feed.subscribe(room, receiver);
    }

    @Override
    public void unsubscribe(String room) {
        subscribed.remove(room);
        feed.unsubscribe(room);
    }

    @Override
    public void whenMessagesMayBeLost(Runnable recheck) {
        rechecks.add(recheck);
    }

    @Override
    public boolean connected() {
        return true;
    }

    @Override
    public void close() {
        feed.close();
    }
}
