package chatroom.room;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A feed in one process that tests can make unreliable: it passes messages on at once, except those a
 * test tells it to lose, and lets a test hand a room any message (a repeat, one out of order) as if it
 * came from another node.
 */
final class FakeFeed implements MessageFeed {

    private final Map<String, Consumer<Message>> receivers = new ConcurrentHashMap<>();
    private final List<Runnable> rechecks = new CopyOnWriteArrayList<>();
    private volatile Predicate<Message> lose = m -> false;

    /** From now on, loses the messages that match. */
    void lose(Predicate<Message> which) {
        lose = which;
    }

    /** Hands the message to its room's receiver, as if another node had published it. */
    void bring(Message message) {
        Consumer<Message> receiver = receivers.get(message.room());
        if (receiver != null) {
            receiver.accept(message);
        }
    }

    /** Tells the rooms that messages may have been lost, as a feed does after reconnecting. */
    void mayHaveLost() {
        rechecks.forEach(Runnable::run);
    }

    @Override
    public void publish(Message message) {
        if (!lose.test(message)) {
            bring(message);
        }
    }

    @Override
    public void subscribe(String room, Consumer<Message> receiver) {
        receivers.put(room, receiver);
    }

    @Override
    public void unsubscribe(String room) {
        receivers.remove(room);
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
    public void close() {}
}
